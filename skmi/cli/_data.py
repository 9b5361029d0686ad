"""Reading the columns that ``skmi estimate`` is asked about, from a file.

Text files are read with pandas (separator sniffed unless ``--sep`` is given,
``--decimal`` for decimal commas, a UTF-8 byte-order mark dropped). A column
is numeric when its cells are numbers, symbols when none of them are; a
column that is numeric except for a few cells is an error naming the file,
column and line (or, with ``--dropna``, those rows are dropped), because
reading it as symbols would silently turn measurements into class labels.
"""

import csv
import re
from pathlib import Path

import numpy as np

# Cells that mean "no value" in a CSV file.
MISSING = {"", "na", "nan", "n/a", "null", "none", "-", "?"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_PERCENT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*%$")


class DataError(Exception):
    """A problem with the input file or the column selection (exit status 1)."""


def load_columns(path, selection, sep=None, decimal=".", dropna=False):
    """The columns named by ``selection`` as an (n, k) array (floats or strings).

    Parameters
    ----------
    path : str
        A .csv/.tsv/.txt file (first row: header names, unless all numeric),
        a .npy array (n, d), or a .npz archive.
    selection : str or list of str
        Comma-separated column names or 0-based indices, with ranges "2-5";
        for .npz, ``name`` (the whole array) or ``name:cols``. A list of
        selections returns one array per selection, with the same rows.
    sep : str or None
        Text files: the field separator; None sniffs it.
    decimal : str
        Text files: the decimal mark ("." or ",").
    dropna : bool
        Drop rows with a missing cell in any selected column.

    Returns
    -------
    columns : ndarray of shape (n_samples, k), or a list of them

    Raises
    ------
    DataError
        One line naming the file, column or line that cannot be used.
    """
    selections = [selection] if isinstance(selection, str) else list(selection)
    file = Path(path)
    if not file.exists():
        raise DataError(f"no such file: {path}")
    if file.is_dir():
        raise DataError(f"{path} is a directory; give a .csv, .tsv, .txt, .npy or .npz file")
    # The input is read exactly once, into memory: a named pipe or a process
    # substitution (<(cat file)) can be read only once, so sniffing it and then
    # reopening it for the parser hung (a FIFO) or lost the sniffed bytes.
    try:
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise DataError(f"{path} cannot be read: {error.strerror or error}") from None
    suffix = file.suffix.lower()
    if suffix in (".npy", ".npz"):
        arrays = [_load_binary(data, file, s) for s in selections]
        rows = {len(a) for a in arrays}
        if len(rows) > 1:
            raise DataError(f"{path}: the selected arrays have different lengths {sorted(rows)}")
        columns = [_finite_or_error(a, path, s) for a, s in zip(arrays, selections, strict=True)]
    else:
        table = _read_text(data, file, sep, decimal, selections)
        picked = [_parse_selection(s, table, path) for s in selections]
        used = sorted({c for cols in picked for c in cols})
        table = _numeric_or_symbols(table, used, path, decimal, dropna)
        columns = [_as_array(table, cols) for cols in picked]
    if len(columns[0]) == 0:
        raise DataError(f"{path} has no data rows")
    return columns[0] if isinstance(selection, str) else columns


def _load_binary(data, file, selection):
    import io

    try:
        if file.suffix.lower() == ".npy":
            array = np.load(io.BytesIO(data), allow_pickle=False)
            return _select_array(_as_2d(array, file), selection, file)
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DataError(f"{file} cannot be read: {error}") from None
    if not hasattr(archive, "files"):
        raise DataError(f"{file} is not a .npz archive")
    name, _, cols = selection.partition(":")
    if name not in archive.files:
        raise DataError(f"{file} has no array {name!r}; it holds {archive.files}")
    table = _as_2d(archive[name], file)
    return _select_array(table, cols, file) if cols else table


def _as_2d(a, file):
    a = np.asarray(a)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    if a.ndim != 2:
        raise DataError(
            f"{file}: the array has {a.ndim} dimensions; skmi estimate reads 1-D or 2-D"
        )
    return a


def _select_array(table, selection, file):
    columns = _columns(selection, None, table.shape[1], file)
    return table[:, columns]


def _finite_or_error(a, path, selection):
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        row = int(np.flatnonzero(~np.isfinite(a).all(axis=1))[0])
        raise DataError(f"{path}: {selection!r} has a missing or infinite value in row {row}")
    return a


def _read_text(data, file, sep, decimal, selections=()):
    """Parse the bytes ``data`` of a text file (read once) into a table of strings."""
    import io

    import pandas as pd

    if sep is not None and (not isinstance(sep, str) or len(sep) != 1):
        raise DataError(f"the separator must be one character, got {sep!r} (--sep)")
    try:
        text = data.decode("utf-8-sig")  # drops a byte-order mark from the first name
    except UnicodeDecodeError as error:
        raise DataError(
            f"{file} cannot be read as a table: it is not UTF-8 text "
            f"(byte {error.start}: {error.reason})"
        ) from None
    if sep is None:
        sep = _sniff_separator(text)
    options = {
        "sep": sep,
        "engine": "c",
        "dtype": str,
        "keep_default_na": False,
        "header": None,
        "skipinitialspace": True,
        "skip_blank_lines": True,
    }
    try:
        raw = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.EmptyDataError:
        raise DataError(f"{file} is empty") from None
    except (pd.errors.ParserError, ValueError, TypeError) as error:
        first = str(error).strip().splitlines()[0]
        raise DataError(f"{file} cannot be read as a table: {first}") from None
    raw = raw.apply(lambda column: column.str.strip())
    first = [str(v) for v in raw.iloc[0].tolist()]
    if all(_is_number(v, decimal) for v in first) and not _numeric_header(
        raw, first, decimal, selections
    ):
        raw.columns = [str(c) for c in range(raw.shape[1])]
        raw.attrs["first_line"] = 1
        raw.attrs["header"] = None
    else:
        raw.columns = first
        raw = raw.iloc[1:].reset_index(drop=True)
        raw.attrs["first_line"] = 2
        raw.attrs["header"] = first
    return raw


_INTEGER = re.compile(r"^[+-]?\d+$")


def _numeric_header(raw, first, decimal, selections):
    """Whether a first row of numbers (2019,2020,...) is a header, not data.

    Yes when the selection names first-row cells that are not column indices
    (``--x 2019`` in a file of a few columns), or when the first row holds
    distinct integers above columns that all hold fractional numbers (years
    above measurements), the rule csv.Sniffer.has_header votes with.
    """
    if len(raw) < 2 or len(set(first)) != len(first):
        return False
    width = len(first)
    for selection in selections:
        for part in _split_selection(selection, first):
            if part in first and not (part.isdigit() and int(part) < width):
                return True
    if not all(_INTEGER.match(v) for v in first):
        return False
    body = raw.iloc[1:]
    for c in range(width):
        cells = body.iloc[:, c]
        fractional = cells.map(lambda v: _is_number(v, decimal) and not _INTEGER.match(v))
        if not fractional.any():
            return False
    return True


def _sniff_separator(sample):
    """The field separator among , ; tab | (comma when none is clear: one column).

    pandas' own sniffing (sep=None) accepts any character as the separator: it
    split a one-column file of numbers at '.', '0' or 'e'.
    """
    sample = sample[:65536]
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    semicolons = {line.count(";") for line in lines}
    if len(semicolons) == 1 and semicolons != {0}:
        # the European convention: ';' between fields when ',' is the decimal mark
        return ";"
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _parse_selection(selection, table, path):
    return _columns(selection, table.attrs["header"], table.shape[1], path)


def _split_selection(selection, header):
    """The parts of a column selection: a whole header name (which may hold a
    comma), else comma-separated parts, where "a,b" in double quotes is one."""
    stripped = selection.strip()
    if header is not None and stripped in header:
        return [stripped]
    try:
        parts = next(csv.reader([selection], skipinitialspace=True), [])
    except csv.Error:
        parts = selection.split(",")
    return [p.strip() for p in parts if p.strip()]


def _columns(selection, header, width, path):
    columns = []
    for part in _split_selection(selection, header):
        if header is not None and part in header:
            where = [i for i, name in enumerate(header) if name == part]
            if len(where) > 1:
                raise DataError(
                    f"{path}: the header names {len(where)} columns {part!r} "
                    f"(0-based columns {where}); rename them or select by index"
                )
            columns.append(where[0])
        elif "-" in part and all(s.isdigit() for s in part.split("-", 1)):
            lo, hi = (int(s) for s in part.split("-", 1))
            columns.extend(range(lo, hi + 1))
        elif part.isdigit():
            columns.append(int(part))
        else:
            known = f"; its columns are {header}" if header else ""
            raise DataError(f"unknown column {part!r} in {path}{known}")
    if not columns:
        raise DataError(f"an empty column selection for {path}")
    out_of_range = [c for c in columns if c >= width]
    if out_of_range:
        raise DataError(f"column indices {out_of_range} are out of range: {path} has {width}")
    return columns


def _numeric_or_symbols(table, used, path, decimal, dropna):
    """Convert the used columns: numbers, or symbols; refuse a numeric column
    with stray cells (or drop those rows with ``dropna``)."""
    import pandas as pd

    missing = table.iloc[:, used].apply(lambda c: c.str.lower().isin(MISSING))
    if dropna:
        table = table[~missing.any(axis=1)].reset_index(drop=True)
    converted = table.copy()
    for c in used:
        name = table.columns[c]
        cells = table.iloc[:, c]
        if decimal == "." and len(cells) and cells.str.match(_DECIMAL_COMMA).mean() > 0.5:
            example = cells[cells.str.match(_DECIMAL_COMMA)].iloc[0]
            raise DataError(
                f"{path}: column {name!r} holds numbers with a decimal comma ({example!r}); "
                "pass --decimal , (and --sep ';' if fields are separated by semicolons)"
            )
        text = cells.str.replace(decimal, ".", regex=False) if decimal != "." else cells
        percent = text.str.match(_PERCENT)
        if percent.any():
            # 12.3% is the number 0.123, not a class label
            text = text.where(~percent, text.str.rstrip().str.rstrip("%"))
        numbers = pd.to_numeric(text, errors="coerce")
        number = numbers.notna()
        if number.sum() == 0:
            continue  # a column of symbols (class labels, names)
        if not number.all():
            if number.mean() < 0.5:
                continue  # mostly symbols: codes with a few numbers among them
            line = int(np.flatnonzero(~number.to_numpy())[0])
            hint = "" if dropna else "; fix it, or pass --dropna to drop rows with missing cells"
            raise DataError(
                f"{path}: column {name!r}, line {line + table.attrs['first_line']}: "
                f"{cells.iloc[line]!r} is not a number in a numeric column{hint}"
            )
        if percent.any() and not percent.all():
            line = int(np.flatnonzero(~percent.to_numpy())[0])
            raise DataError(
                f"{path}: column {name!r}, line {line + table.attrs['first_line']}: "
                f"{cells.iloc[line]!r} is a plain number in a column of percentages"
            )
        values = numbers.to_numpy(dtype=np.float64)
        if percent.any():
            values = values / 100.0
        if not np.isfinite(values).all():
            line = int(np.flatnonzero(~np.isfinite(values))[0])
            raise DataError(
                f"{path}: column {name!r}, line {line + table.attrs['first_line']}: "
                f"{cells.iloc[line]!r} is not a finite number"
            )
        # by position: a name can repeat in a header
        converted.isetitem(c, values)
    converted.attrs = table.attrs
    return converted


def _as_array(table, columns):
    picked = table.iloc[:, columns]
    if all(dtype.kind in "fiu" for dtype in picked.dtypes):
        return picked.to_numpy(dtype=np.float64)
    return picked.astype(str).to_numpy()


def _is_number(value, decimal="."):
    if decimal != ".":
        value = value.replace(decimal, ".")
    if _PERCENT.match(value):
        value = value.rstrip().rstrip("%")
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return value.lower() not in ("nan", "inf", "-inf", "infinity")
