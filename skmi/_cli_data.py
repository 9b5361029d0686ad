"""Reading the columns that ``skmi estimate`` is asked about, from a file."""

import csv
from pathlib import Path

import numpy as np


class DataError(Exception):
    """A problem with the input file or the column selection (exit status 1)."""


def load_columns(path, selection, delimiter=None):
    """The columns named by ``selection`` as an (n, k) array (floats or strings).

    Parameters
    ----------
    path : str
        A .csv/.tsv/.txt file (first row: header names, unless all numeric),
        a .npy array (n, d), or a .npz archive.
    selection : str
        Comma-separated column names or 0-based indices, with ranges "2-5";
        for .npz, ``name`` (the whole array) or ``name:cols``.
    """
    file = Path(path)
    if not file.exists():
        raise DataError(f"no such file: {path}")
    suffix = file.suffix.lower()
    if suffix == ".npy":
        return _select(_as_2d(np.load(file, allow_pickle=False)), None, selection, path)
    if suffix == ".npz":
        return _select_npz(np.load(file, allow_pickle=False), selection, path)
    return _select(*_read_text(file, delimiter), selection, path)


def _as_2d(a):
    a = np.asarray(a)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    if a.ndim != 2:
        raise DataError(f"the array has {a.ndim} dimensions; skmi estimate reads 1-D or 2-D data")
    return a


def _read_text(file, delimiter):
    with open(file, newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        if delimiter is None:
            try:
                delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t ").delimiter
            except csv.Error:
                delimiter = ","
        rows = [row for row in csv.reader(handle, delimiter=delimiter) if row]
    if not rows:
        raise DataError(f"{file} is empty")
    header = None
    if not all(_is_number(v) for v in rows[0]):
        header, rows = [h.strip() for h in rows[0]], rows[1:]
    width = len(rows[0]) if rows else len(header or [])
    bad = [i + 2 for i, row in enumerate(rows) if len(row) != width]
    if bad:
        raise DataError(f"{file}: rows {bad[:5]} do not have {width} fields")
    table = np.array(rows, dtype=object)
    return table.reshape(len(rows), width), header


def _select(table, header, selection, path):
    columns = _parse_selection(selection, header, table.shape[1], path)
    picked = table[:, columns]
    if picked.dtype == object:
        try:
            return picked.astype(np.float64)
        except ValueError:
            return picked.astype(str)
    return picked


def _select_npz(archive, selection, path):
    name, _, cols = selection.partition(":")
    if name not in archive.files:
        raise DataError(f"{path} has no array {name!r}; it holds {archive.files}")
    table = _as_2d(archive[name])
    return _select(table, None, cols, path) if cols else table


def _parse_selection(selection, header, width, path):
    columns = []
    for part in [p.strip() for p in selection.split(",") if p.strip()]:
        if header is not None and part in header:
            columns.append(header.index(part))
        elif "-" in part and all(s.isdigit() for s in part.split("-", 1)):
            lo, hi = (int(s) for s in part.split("-", 1))
            columns.extend(range(lo, hi + 1))
        elif part.isdigit():
            columns.append(int(part))
        else:
            known = f"; columns are {header}" if header else ""
            raise DataError(f"unknown column {part!r} in {path}{known}")
    if not columns:
        raise DataError("an empty column selection")
    out_of_range = [c for c in columns if c >= width]
    if out_of_range:
        raise DataError(f"column indices {out_of_range} are out of range: {path} has {width}")
    return columns


def _is_number(value):
    try:
        float(value)
    except ValueError:
        return False
    return True
