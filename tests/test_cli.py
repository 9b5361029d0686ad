"""The ``skmi`` command line."""

import json
import subprocess
import sys

import numpy as np
import pytest

from skmi.cli import main


def test_demo_prints_truth_and_estimates(capsys):
    assert main(["demo", "--n-samples", "2000", "--no-plane"]) == 0
    out = capsys.readouterr().out
    assert "truth" in out and "KSG" in out and "Gaussian" in out
    assert "Gaussian 5x5, paired" in out
    assert "Information plane" not in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_bad_option_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--n-samples", "10"])
    assert exit_info.value.code == 2
    assert "--n-samples: must be at least 50" in capsys.readouterr().err


def test_console_script_help():
    result = subprocess.run(
        [sys.executable, "-m", "skmi.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "demo" in result.stdout


# -- skmi estimate ------------------------------------------------------------------


@pytest.fixture
def data_files(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal(400)
    y = x + rng.standard_normal(400)
    label = np.where(y > 0, "pos", "neg")
    csv_path = tmp_path / "data.csv"
    with open(csv_path, "w") as handle:
        handle.write("x,y,label\n")
        for a, b, c in zip(x, y, label, strict=True):
            handle.write(f"{a},{b},{c}\n")
    npz_path = tmp_path / "data.npz"
    np.savez(npz_path, X=np.column_stack([x, rng.standard_normal(400)]), y=y)
    npy_path = tmp_path / "data.npy"
    np.save(npy_path, np.column_stack([x, y]))
    return csv_path, npz_path, npy_path, (x, y)


def test_estimate_csv_with_uncertainty(data_files, capsys):
    csv_path = data_files[0]
    code = main(
        [
            "estimate",
            str(csv_path),
            "--x",
            "x",
            "--y",
            "y",
            "--ci",
            "--p-value",
            "--n-permutations",
            "20",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "I(X; Y) =" in out and "95% interval" in out and "p-value" in out


def test_estimate_json_matches_the_library(data_files, capsys):
    import json

    from skmi import estimate_mi

    csv_path, npz_path, npy_path, (x, y) = data_files
    assert main(["estimate", str(npy_path), "--x", "0", "--y", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    expected = estimate_mi(x.reshape(-1, 1), y, random_state=0)
    assert result["estimate"] == pytest.approx(expected.estimate, abs=1e-6)
    assert result["method"] == expected.method
    assert main(["estimate", str(npz_path), "--x", "X", "--y", "y", "--units", "bits"]) == 0
    assert "bits" in capsys.readouterr().out
    assert main(["estimate", str(csv_path), "--x", "x", "--y", "label"]) == 0
    assert "discrete" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--x", "nope", "--y", "y"], "unknown column 'nope'"),
        (["--x", "7", "--y", "y"], "out of range"),
    ],
)
def test_estimate_data_errors_exit_1(data_files, capsys, argv, message):
    assert main(["estimate", str(data_files[0]), *argv]) == 1
    assert message in capsys.readouterr().err


def test_estimate_missing_file_and_usage(capsys, tmp_path):
    assert main(["estimate", str(tmp_path / "none.csv"), "--x", "a", "--y", "b"]) == 1
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["estimate", str(tmp_path / "none.csv"), "--y", "b"])
    assert exit_info.value.code == 2


def test_estimate_help_explains_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["estimate", "--help"])
    out = capsys.readouterr().out
    for option in ["--x", "--y", "--method", "--units", "--ci", "--p-value", "--sep", "--decimal"]:
        assert option in out
    from skmi.auto import METHODS

    for method in METHODS:  # one line saying what each method is
        assert any(line.split()[:1] == [method] for line in out.splitlines()), method


def test_bench_runs(capsys):
    assert main(["bench", "--n-samples", "300", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "MAE" in out and "auto" in out


# -- issue 15 section 7 and issue 14: data errors, one line, exit 1 ------------------


def _write(tmp_path, text, name="d.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def _pairs(n=300, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x, x + rng.standard_normal(n)  # truth 0.5 log 2 = 0.347 nats


def _one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_blank_cell_is_an_error_naming_column_and_line(tmp_path, capsys):
    # was "I(X; Y) = nan nats" and a bare NaN in --json
    x, y = _pairs()
    rows = [f"{a:.4f},{b:.4f}" for a, b in zip(x, y, strict=True)]
    rows[5] = "1.2,"
    path = _write(tmp_path, "a,b\n" + "\n".join(rows) + "\n")
    assert main(["estimate", path, "--x", "a", "--y", "b", "--json"]) == 1
    line = _one_error_line(capsys)
    assert "column 'b'" in line and "line 7" in line and "--dropna" in line
    assert main(["estimate", path, "--x", "a", "--y", "b", "--json", "--dropna"]) == 0
    result = json.loads(capsys.readouterr().out, parse_constant=_no_constants)
    assert result["n_samples"] == 299 and abs(result["estimate"] - 0.5 * np.log(2)) < 0.15


def _no_constants(name):
    raise AssertionError(f"invalid JSON constant {name}")


def test_decimal_commas_are_refused_or_read_as_asked(tmp_path, capsys):
    # was read as symbols: 6.04 nats where the truth is 0.35
    x, y = _pairs()
    rows = [f"{a:.3f};{b:.3f}".replace(".", ",") for a, b in zip(x, y, strict=True)]
    path = _write(tmp_path, "a;b\n" + "\n".join(rows) + "\n")
    assert main(["estimate", path, "--x", "a", "--y", "b"]) == 1
    assert "--decimal" in _one_error_line(capsys)
    argv = ["estimate", path, "--x", "a", "--y", "b", "--sep", ";", "--decimal", ",", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["x_kind"] == "continuous" and abs(result["estimate"] - 0.5 * np.log(2)) < 0.15


def test_byte_order_mark_directory_header_only_and_seed(tmp_path, capsys):
    x, y = _pairs()
    body = "\n".join(f"{a:.4f},{b:.4f}" for a, b in zip(x, y, strict=True))
    path = _write(tmp_path, "\ufeffa,b\n" + body + "\n")
    assert main(["estimate", path, "--x", "a", "--y", "b"]) == 0
    capsys.readouterr()
    assert main(["estimate", str(tmp_path), "--x", "a", "--y", "b"]) == 1
    assert "is a directory" in _one_error_line(capsys)
    header_only = _write(tmp_path, "a,b\n", name="h.csv")
    assert main(["estimate", header_only, "--x", "a", "--y", "b"]) == 1
    assert "no data rows" in _one_error_line(capsys)
    empty = _write(tmp_path, "", name="e.csv")
    assert main(["estimate", empty, "--x", "a", "--y", "b"]) == 1
    assert "empty" in _one_error_line(capsys)
    with pytest.raises(SystemExit) as exit_info:
        main(["estimate", path, "--x", "a", "--y", "b", "--seed", "-1"])
    assert exit_info.value.code == 2


def test_integer_binary_column_takes_the_same_route_as_python(tmp_path, capsys):
    # was: the CLI chose the mixed estimator (0.2707), Python KSG-copula (0.024)
    from skmi import estimate_mi

    rng = np.random.default_rng(0)
    bits, values = rng.integers(0, 2, 300), rng.standard_normal(300)
    rows = "\n".join(f"{a},{b:.6f}" for a, b in zip(bits, values, strict=True))
    path = _write(tmp_path, "a,b\n" + rows + "\n")
    assert main(["estimate", path, "--x", "a", "--y", "b", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    python = estimate_mi(bits, np.round(values, 6), random_state=0)
    assert result["method"] == python.method and result["x_kind"] == "discrete"
    assert result["estimate"] == pytest.approx(python.estimate, abs=1e-9)


def test_warnings_once_in_command_line_words(tmp_path, capsys):
    # was 203 warning lines telling the user to use KSGMutualInfo(ties="mixed")
    # (ReLU zeros: rounded values are now dithered by their grid step, no ties left)
    rng = np.random.default_rng(0)
    x = np.maximum(rng.standard_normal(300), 0.0)
    y = x + rng.standard_normal(300)
    rows = "\n".join(f"{a:.4f},{b:.4f}" for a, b in zip(x, y, strict=True))
    path = _write(tmp_path, "a,b\n" + rows + "\n")
    argv = ["estimate", path, "--x", "a", "--y", "b", "--method", "ksg", "--ci", "--p-value"]
    assert main([*argv, "--n-permutations", "10"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "--method ksg-mixed" in warnings[0]
    assert "KSGMutualInfo" not in captured.err
    assert "p <= 0.09091" in captured.out


def test_version_and_python_dash_m(capsys):
    from skmi import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and __version__ in capsys.readouterr().out
    result = subprocess.run(
        [sys.executable, "-m", "skmi", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and __version__ in result.stdout


def test_demo_quick_shows_progress(capsys, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    argv = ["demo", "--quick", "--n-samples", "300", "--epochs", "2", "--out-dir", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "n = 300" in out and "epoch 2/2" in out and "I(T;Y) of the output layer" in out
    assert (tmp_path / "information_plane.png").exists()
    assert (tmp_path / "information_plane.csv").exists()


# -- issue 27: read the input once; names, headers, percentages, separators ---------


def _csv_text(header="a,b", fmt="{a:.6f},{b:.6f}"):
    x, y = _pairs()
    return header + "\n" + "\n".join(fmt.format(a=a, b=b) for a, b in zip(x, y, strict=True))


def _run_cli(argv, pass_fds=(), timeout=120):
    # in a child process, so that a hang fails the test instead of hanging it
    return subprocess.run(
        [sys.executable, "-m", "skmi", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        pass_fds=pass_fds,
    )


def _plain_estimate(tmp_path, capsys):
    path = _write(tmp_path, _csv_text() + "\n", name="plain.csv")
    assert main(["estimate", path, "--x", "a", "--y", "b", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["estimate"]


def _writer(target, data):
    import threading

    def write():
        with open(target, "wb") as handle:  # blocks until the reader opens a FIFO
            handle.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs os.mkfifo")
def test_a_named_pipe_is_read_once_and_does_not_hang(tmp_path, capsys):
    # was: the separator sniffer read the FIFO and closed it, pandas reopened
    # it and waited for a writer forever
    import os

    expected = _plain_estimate(tmp_path, capsys)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    writer = _writer(fifo, (_csv_text() + "\n").encode())
    result = _run_cli(["estimate", str(fifo), "--x", "a", "--y", "b", "--json"])
    writer.join(timeout=5)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["n_samples"] == 300
    assert out["estimate"] == pytest.approx(expected, abs=1e-12)
    assert abs(out["estimate"] - 0.5 * np.log(2)) < 0.15


@pytest.mark.skipif(not __import__("os").path.isdir("/dev/fd"), reason="needs /dev/fd")
def test_a_process_substitution_keeps_its_first_bytes(tmp_path, capsys):
    # <(cat file): a pipe readable once; the sniffed bytes were lost
    import os

    expected = _plain_estimate(tmp_path, capsys)
    read_end, write_end = os.pipe()
    writer = _writer(write_end, (_csv_text() + "\n").encode())
    try:
        argv = ["estimate", f"/dev/fd/{read_end}", "--x", "a", "--y", "b", "--json"]
        result = _run_cli(argv, pass_fds=(read_end,))
    finally:
        os.close(read_end)
    writer.join(timeout=5)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["n_samples"] == 300 and out["estimate"] == pytest.approx(expected, abs=1e-12)


def test_a_duplicated_header_name_is_refused_by_name(tmp_path, capsys):
    # was: pandas kept both, and converting 'v' wrote column 0 over column 1
    x, y = _pairs()
    noise = np.random.default_rng(1).standard_normal(len(x))
    rows = "\n".join(f"{n:.6f},{a:.6f},{b:.6f}" for n, a, b in zip(noise, x, y, strict=True))
    path = _write(tmp_path, "v,v,w\n" + rows + "\n")
    assert main(["estimate", path, "--x", "v", "--y", "w"]) == 1
    line = _one_error_line(capsys)
    assert "'v'" in line and "[0, 1]" in line
    # selected by index, column 1 is column 1 (the same value as a file without the clash)
    assert main(["estimate", path, "--x", "1", "--y", "2", "--json"]) == 0
    by_index = json.loads(capsys.readouterr().out)["estimate"]
    assert by_index == pytest.approx(_plain_estimate(tmp_path, capsys), abs=1e-12)
    assert abs(by_index - 0.5 * np.log(2)) < 0.15


def test_a_name_holding_a_comma_can_be_selected(tmp_path, capsys):
    expected = _plain_estimate(tmp_path, capsys)
    path = _write(tmp_path, _csv_text(header='"x,1",b') + "\n")
    assert main(["estimate", path, "--x", "x,1", "--y", "b", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["estimate"] == pytest.approx(expected, abs=1e-12)
    assert main(["estimate", path, "--x", '"x,1"', "--y", "b", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["estimate"] == pytest.approx(expected, abs=1e-12)


def test_a_numeric_header_row_is_a_header(tmp_path, capsys):
    # was: 2019,2020 read as a data row (and --x 2019 as a column index)
    expected = _plain_estimate(tmp_path, capsys)
    path = _write(tmp_path, _csv_text(header="2019,2020") + "\n")
    assert main(["estimate", path, "--x", "2019", "--y", "2020", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_samples"] == 300
    assert result["estimate"] == pytest.approx(expected, abs=1e-12)
    assert main(["estimate", path, "--x", "0", "--y", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_samples"] == 300
    # a first row of data that looks like the rows below stays data
    x, y = _pairs()
    counts = "\n".join(f"{i},{2 * i + (i % 7)}" for i in range(300))
    path = _write(tmp_path, counts + "\n", name="counts.csv")
    assert main(["estimate", path, "--x", "0", "--y", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_samples"] == 300


def test_percentages_are_numbers(tmp_path, capsys):
    # was: '12.3%' cells read as class labels
    x, y = _pairs()
    rows = "\n".join(f"{100 * a:.4f}%,{b:.6f}" for a, b in zip(x, y, strict=True))
    path = _write(tmp_path, "a,b\n" + rows + "\n")
    assert main(["estimate", path, "--x", "a", "--y", "b", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["x_kind"] == "continuous"
    assert result["estimate"] == pytest.approx(_plain_estimate(tmp_path, capsys), abs=1e-3)
    mixed = _write(tmp_path, "a,b\n" + rows.replace("%", "", 1) + "\n", name="m.csv")
    assert main(["estimate", mixed, "--x", "a", "--y", "b"]) == 1
    assert "percentages" in _one_error_line(capsys)


def test_an_empty_separator_is_a_usage_error(tmp_path, capsys):
    path = _write(tmp_path, _csv_text() + "\n")
    for sep in ["", ";;"]:
        with pytest.raises(SystemExit) as exit_info:
            main(["estimate", path, "--x", "a", "--y", "b", "--sep", sep])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "--sep" in err and "one character" in err and "Py_UCS4" not in err
    tabs = _write(tmp_path, _csv_text(header="a\tb", fmt="{a:.6f}\t{b:.6f}") + "\n", "t.tsv")
    assert main(["estimate", tabs, "--x", "a", "--y", "b", "--sep", "tab"]) == 0


def test_an_os_error_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    import errno

    import skmi.cli._data as data

    def unreadable(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error", "d.csv")

    monkeypatch.setattr(data, "load_columns", unreadable)
    assert main(["estimate", "d.csv", "--x", "a", "--y", "b"]) == 1
    line = _one_error_line(capsys)
    assert "Input/output error" in line and "Traceback" not in line


@pytest.mark.parametrize(
    ("header", "separator", "width", "decimals"),
    [("", ",", 1, 18), ("a\n", ",", 1, 3), ("", "|", 2, 4), ("a|b\n", "|", 2, 4)],
)
def test_cli_reads_the_numbers_written(tmp_path, header, separator, width, decimals):
    # was: pandas' sniffer took '.', 'e' or a digit as the separator, so a
    # one-column file of numbers gave "Expected 6 fields" or two columns
    # ['', ''] under the header 'a'; a '|' file could not be read
    from skmi.cli._data import load_columns

    values = np.random.default_rng(0).standard_normal((40, width))
    path = tmp_path / "data.csv"
    np.savetxt(path, values, delimiter=separator, fmt=f"%.{decimals}e")
    path.write_text(header + path.read_text())
    read = load_columns(path, ",".join(str(c) for c in range(width)))
    assert read.shape == values.shape
    np.testing.assert_allclose(read.astype(float), values, rtol=10.0**-decimals)
