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
            "known analytically, and print estimate, time and truth side by side; then "
            "train a small network and record its information plane "
            "(examples/plot_information_plane.py), writing a PNG and a CSV."
        ),
    )
    demo.add_argument("--n-samples", type=int, default=10_000, help="samples per task (10000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (0)")
    demo.add_argument(
        "--out-dir",
        default="skmi_demo_output",
        help="where the information-plane figure and table go (skmi_demo_output)",
    )
    demo.add_argument(
        "--epochs", type=int, default=500, help="training epochs of the information-plane study"
    )
    demo.add_argument(
        "--no-plane", action="store_true", help="only the estimator table, not the study"
    )
    return parser


def main(argv=None):
    """Entry point of the ``skmi`` console script; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        from skmi._demo import run_demo, run_information_plane

        if args.n_samples < 50:
            parser.error("--n-samples must be at least 50")
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
        run_demo(n_samples=args.n_samples, seed=args.seed)
        if not args.no_plane:
            run_information_plane(args.out_dir, seed=args.seed, epochs=args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
