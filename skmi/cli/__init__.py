"""The ``skmi`` command line: ``skmi demo``, ``skmi estimate``, ``skmi bench``.

A small package: this module holds the parser and the commands,
:mod:`skmi.cli._data` reads the data files, :mod:`skmi.cli._demo` the demo
tables and :mod:`skmi.cli.information_plane` the information-plane study the
demo runs (and ``examples/plot_information_plane.py`` imports).

Exit status: 0 on success, 1 when the data cannot be used (missing file,
unknown column, a cell that is not a number, an estimator's error), 2 for a
malformed command line.
"""

import argparse
import json
import math
import re
import sys

from skmi.auto._methods import METHOD_HELP, METHODS

__all__ = ["main"]


def _at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def _separator(text):
    """--sep: one character; "\\t" or "tab" for a tab."""
    named = {"\\t": "\t", "tab": "\t", "\\s": " ", "space": " "}
    text = named.get(text.lower(), text)
    if len(text) != 1:
        raise argparse.ArgumentTypeError(f"expected one character (or 'tab'), got {text!r}")
    return text


_separator.__name__ = "separator"


def _build_parser():
    from skmi import __version__

    parser = argparse.ArgumentParser(
        prog="skmi",
        description="Mutual-information estimation the scikit-learn way.",
        epilog="Run 'skmi COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"skmi {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="estimate MI on generated data with known truth and print a table",
        description=(
            "Run every estimator on generated data sets whose mutual information is "
            "known analytically, and print estimate, time and truth side by side; then "
            "train a small network and record its information plane "
            "(skmi.cli.information_plane), writing a PNG and a CSV."
        ),
    )
    demo.add_argument(
        "--quick",
        action="store_true",
        help="a first look in seconds: 2000 samples per task, a 40-epoch study",
    )
    demo.add_argument(
        "--n-samples", type=_at_least(50), default=None, help="samples per task (10000)"
    )
    demo.add_argument("--seed", type=_at_least(0), default=0, help="random seed (0)")
    demo.add_argument(
        "--out-dir",
        default="skmi_demo_output",
        help="where the information-plane figure and table go (skmi_demo_output)",
    )
    demo.add_argument(
        "--epochs",
        type=_at_least(1),
        default=None,
        help="training epochs of the information-plane study (500)",
    )
    demo.add_argument(
        "--no-plane", action="store_true", help="only the estimator table, not the study"
    )

    methods = "\n".join(f"  {name:<16} {text}" for name, text in METHOD_HELP.items())
    estimate = commands.add_parser(
        "estimate",
        help="estimate I(X; Y) between columns of a CSV, .npy or .npz file",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Estimate the mutual information between two groups of columns of a file,\n"
            "with the estimator chosen from the kind of each side (continuous, discrete,\n"
            "mixed) or by --method, and optionally a confidence interval and a\n"
            "permutation p-value."
        ),
        epilog=(
            f"methods:\n{methods}\n\n"
            "Columns: comma-separated header names or 0-based indices, ranges like 2-5.\n"
            "For .npz files: an array name, or name:columns. Example:\n"
            "  skmi estimate data.csv --x age,income --y label --ci"
        ),
    )
    estimate.add_argument("file", help="a .csv/.tsv/.txt (header optional), .npy or .npz file")
    estimate.add_argument("--x", required=True, metavar="COLS", help="the columns of X")
    estimate.add_argument("--y", required=True, metavar="COLS", help="the columns of Y")
    estimate.add_argument(
        "--method",
        default="auto",
        choices=METHODS,
        metavar="METHOD",
        help="the estimator (see 'methods' below; default auto)",
    )
    kinds = ("auto", "continuous", "discrete", "mixed")
    estimate.add_argument(
        "--x-kind", default="auto", choices=kinds, help="take X as this kind (default: by values)"
    )
    estimate.add_argument(
        "--y-kind", default="auto", choices=kinds, help="take Y as this kind (default: by values)"
    )
    estimate.add_argument("--units", default="nats", choices=("nats", "bits"))
    estimate.add_argument("--ci", action="store_true", help="add a 95%% confidence interval")
    estimate.add_argument(
        "--p-value", action="store_true", help="add a permutation p-value of independence"
    )
    estimate.add_argument(
        "--n-permutations", type=_at_least(1), default=100, help="for --p-value (100)"
    )
    estimate.add_argument(
        "--sep",
        "--delimiter",
        dest="sep",
        type=_separator,
        default=None,
        help="text files: the field separator, one character or 'tab' (sniffed by default)",
    )
    estimate.add_argument(
        "--decimal", default=".", choices=(".", ","), help="text files: the decimal mark (.)"
    )
    estimate.add_argument(
        "--dropna", action="store_true", help="drop rows with an empty or NA cell in X or Y"
    )
    estimate.add_argument("--seed", type=_at_least(0), default=0, help="random seed (0)")
    estimate.add_argument("--json", action="store_true", help="print the result as JSON")

    bench = commands.add_parser(
        "bench",
        help="run the ground-truth benchmark: every estimator against known MI",
        description=(
            "Run every estimator, and the automatic choice, on generated tasks whose "
            "MI is known, over several seeds, and print mean absolute error and time."
        ),
    )
    bench.add_argument(
        "--n-samples", type=_at_least(100), default=2000, help="samples per task (2000)"
    )
    bench.add_argument("--seeds", type=_at_least(1), default=3, help="repetitions per task (3)")
    return parser


def main(argv=None):
    """Entry point of the ``skmi`` console script; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        return _demo_command(args)
    if args.command == "estimate":
        return _estimate_command(args)
    return _bench_command(args)


def _demo_command(args):
    import logging

    from skmi.cli._demo import run_demo, run_information_plane

    n_samples = args.n_samples or (2000 if args.quick else 10_000)
    epochs = args.epochs or (40 if args.quick else 500)
    run_demo(n_samples=n_samples, seed=args.seed, quick=args.quick)
    if args.no_plane:
        return 0
    # the study reports its progress through logging, one line per record
    progress = logging.getLogger("skmi.cli.information_plane")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    level = progress.level
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    try:
        run_information_plane(args.out_dir, seed=args.seed, epochs=epochs, quick=args.quick)
    finally:
        progress.removeHandler(handler)
        progress.setLevel(level)
    return 0


# Advice written for Python users, and the same advice on the command line.
_COMMAND_LINE_WORDS = [
    (r'KSGMutualInfo\(ties="mixed"\)', "--method ksg-mixed"),
    (r"pass (\w)_kind='(\w+)'", r"pass --\1-kind \2"),
    (r"pass x_kind / y_kind = 'continuous'", "pass --x-kind / --y-kind continuous"),
    (r"'(gaussian-copula|lda|ksg-mixed)' method", r"--method \1"),
    (r"method='([\w-]+)'", r"--method \1"),
]


def _for_the_command_line(message):
    for pattern, replacement in _COMMAND_LINE_WORDS:
        message = re.sub(pattern, replacement, message)
    return message


def _estimate_command(args):
    import warnings

    from skmi.auto._estimate import estimate_mi
    from skmi.cli._data import DataError, load_columns

    try:
        X, y = load_columns(args.file, [args.x, args.y], args.sep, args.decimal, args.dropna)
        y = y[:, 0] if y.shape[1] == 1 else y
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = estimate_mi(
                X,
                y,
                method=args.method,
                x_kind=args.x_kind,
                y_kind=args.y_kind,
                ci=args.ci,
                p_value=args.p_value,
                n_permutations=args.n_permutations,
                units=args.units,
                random_state=args.seed,
            )
    except ImportError as error:
        print(f"skmi estimate: error: {error} (pip install 'skmi[pandas]')", file=sys.stderr)
        return 1
    except (DataError, ValueError, TypeError) as error:
        line = " ".join(str(error).split())
        print(f"skmi estimate: error: {_for_the_command_line(line)}", file=sys.stderr)
        return 1
    except OSError as error:  # an unreadable file, a full disk, a closed pipe
        reason = error.strerror or str(error) or type(error).__name__
        where = f"{error.filename}: " if error.filename else ""
        print(f"skmi estimate: error: {where}{reason}", file=sys.stderr)
        return 1
    seen = set()
    for warning in caught:
        text = _for_the_command_line(" ".join(str(warning.message).split()))
        if text not in seen:
            seen.add(text)
            print(f"skmi estimate: warning: {text}", file=sys.stderr)
    if args.json:
        print(json.dumps(_as_json(result, len(X)), allow_nan=False))
        return 0
    print(
        f"I(X; Y) = {result.estimate:.4f} {result.units}   (n = {len(X)}, method {result.method})"
    )
    print(f"why: {result.reason}")
    for note in result.notes:
        print(f"note: {_for_the_command_line(note)}")
    if result.ci is not None:
        print(
            f"95% interval: [{result.ci[0]:.4f}, {result.ci[1]:.4f}] {result.units} "
            f"({result.ci_method}; the estimator's variance only, not its bias)"
        )
    if result.p_value is not None:
        print(
            f"permutation p-value (independence): {result.p_value_text()} "
            f"({args.n_permutations} permutations); shuffle-adjusted estimate "
            f"{result.adjusted_estimate:.4f} {result.units}"
        )
    return 0


def _finite_or_none(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _as_json(result, n_samples):
    """The result as JSON-safe values: a non-finite number becomes null (JSON has no NaN)."""
    ci = None if result.ci is None else [_finite_or_none(v) for v in result.ci]
    return {
        "estimate": _finite_or_none(result.estimate),
        "units": result.units,
        "method": result.method,
        "reason": result.reason,
        "x_kind": result.x_kind,
        "y_kind": result.y_kind,
        "notes": [_for_the_command_line(n) for n in result.notes],
        "n_samples": n_samples,
        "ci": ci,
        "ci_method": result.ci_method,
        "p_value": _finite_or_none(result.p_value),
        "p_value_at_most": (
            result.p_value is not None and result.p_value <= (result.min_p_value or 0)
        ),
        "min_p_value": _finite_or_none(result.min_p_value),
        "adjusted_estimate": _finite_or_none(result.adjusted_estimate),
    }


def _bench_command(args):
    from skmi.cli._demo import run_bench

    run_bench(n_samples=args.n_samples, seeds=args.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
