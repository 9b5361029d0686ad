"""The ``skmi`` command line."""

import argparse
import sys


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skmi",
        description="Mutual-information estimation the scikit-learn way.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="estimate MI on generated data with known truth and print a table",
        description=(
            "Run every estimator on generated data sets whose mutual information is "
            "known analytically, and print estimate, time and truth side by side."
        ),
    )
    demo.add_argument("--n-samples", type=int, default=10_000, help="samples per task (10000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (0)")
    return parser


def main(argv=None):
    """Entry point of the ``skmi`` console script; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        from skmi._demo import run_demo

        if args.n_samples < 50:
            parser.error("--n-samples must be at least 50")
        run_demo(n_samples=args.n_samples, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
