"""The ``skmi`` command line: ``skmi demo``, ``skmi estimate``, ``skmi bench``.

Exit status: 0 on success, 1 when the data cannot be used (missing file,
unknown column, an estimator's error), 2 for a malformed command line.
"""

import argparse
import json
import sys

from skmi._auto import METHODS


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skmi",
        description="Mutual-information estimation the scikit-learn way.",
        epilog="Run 'skmi COMMAND --help' for the options of a command.",
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

    estimate = commands.add_parser(
        "estimate",
        help="estimate I(X; Y) between columns of a CSV, .npy or .npz file",
        description=(
            "Estimate the mutual information between two groups of columns of a file, "
            "with the estimator chosen automatically (or by --method), and optionally a "
            "confidence interval and a permutation p-value."
        ),
        epilog=(
            "Columns: comma-separated header names or 0-based indices, ranges like 2-5. "
            "For .npz files: an array name, or name:columns. Example: "
            "skmi estimate data.csv --x age,income --y label --ci"
        ),
    )
    estimate.add_argument("file", help="a .csv/.tsv/.txt (header optional), .npy or .npz file")
    estimate.add_argument("--x", required=True, metavar="COLS", help="the columns of X")
    estimate.add_argument("--y", required=True, metavar="COLS", help="the columns of Y")
    estimate.add_argument(
        "--method",
        default="auto",
        choices=METHODS,
        help="the estimator; 'auto' picks by data type, dimension and sample size",
    )
    estimate.add_argument("--units", default="nats", choices=("nats", "bits"))
    estimate.add_argument("--ci", action="store_true", help="add a 95%% confidence interval")
    estimate.add_argument(
        "--p-value", action="store_true", help="add a permutation p-value of independence"
    )
    estimate.add_argument("--n-permutations", type=int, default=100, help="for --p-value (100)")
    estimate.add_argument("--delimiter", default=None, help="text files: the field separator")
    estimate.add_argument("--seed", type=int, default=0, help="random seed (0)")
    estimate.add_argument("--json", action="store_true", help="print the result as JSON")

    bench = commands.add_parser(
        "bench",
        help="run the ground-truth benchmark: every estimator against known MI",
        description=(
            "Run every estimator, and the automatic choice, on generated tasks whose "
            "MI is known, over several seeds, and print mean absolute error and time."
        ),
    )
    bench.add_argument("--n-samples", type=int, default=2000, help="samples per task (2000)")
    bench.add_argument("--seeds", type=int, default=3, help="repetitions per task (3)")
    return parser


def main(argv=None):
    """Entry point of the ``skmi`` console script; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        return _demo(parser, args)
    if args.command == "estimate":
        return _estimate(parser, args)
    return _bench(parser, args)


def _demo(parser, args):
    from skmi._demo import run_demo, run_information_plane

    if args.n_samples < 50:
        parser.error("--n-samples must be at least 50")
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    run_demo(n_samples=args.n_samples, seed=args.seed)
    if not args.no_plane:
        run_information_plane(args.out_dir, seed=args.seed, epochs=args.epochs)
    return 0


def _estimate(parser, args):
    import warnings

    from skmi._auto import estimate_mi
    from skmi._cli_data import DataError, load_columns

    if args.n_permutations < 1:
        parser.error("--n-permutations must be at least 1")
    try:
        X = load_columns(args.file, args.x, args.delimiter)
        y = load_columns(args.file, args.y, args.delimiter)
        y = y[:, 0] if y.shape[1] == 1 else y
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = estimate_mi(
                X,
                y,
                method=args.method,
                ci=args.ci,
                p_value=args.p_value,
                n_permutations=args.n_permutations,
                units=args.units,
                random_state=args.seed,
            )
    except (DataError, ValueError, TypeError, ImportError) as error:
        print(f"skmi estimate: error: {error}", file=sys.stderr)
        return 1
    for warning in caught:
        print(f"skmi estimate: warning: {warning.message}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "estimate": result.estimate,
                    "units": result.units,
                    "method": result.method,
                    "reason": result.reason,
                    "n_samples": len(X),
                    "ci": result.ci,
                    "p_value": result.p_value,
                    "adjusted_estimate": result.adjusted_estimate,
                }
            )
        )
        return 0
    print(
        f"I(X; Y) = {result.estimate:.4f} {result.units}   "
        f"(n = {len(X)}, method {result.method}: {result.reason})"
    )
    if result.ci is not None:
        print(
            f"95% interval: [{result.ci[0]:.4f}, {result.ci[1]:.4f}] {result.units} "
            "(variance only: the estimator's bias is not included)"
        )
    if result.p_value is not None:
        print(
            f"permutation p-value (independence): {result.p_value:.4f}; "
            f"shuffle-adjusted estimate {result.adjusted_estimate:.4f} {result.units}"
        )
    return 0


def _bench(parser, args):
    from skmi._demo import run_bench

    if args.n_samples < 100:
        parser.error("--n-samples must be at least 100")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    run_bench(n_samples=args.n_samples, seeds=args.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
