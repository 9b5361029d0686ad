"""The ``skmi`` command line."""

import subprocess
import sys

import pytest

from skmi.cli import main


def test_demo_prints_truth_and_estimates(capsys):
    assert main(["demo", "--n-samples", "2000", "--no-plane"]) == 0
    out = capsys.readouterr().out
    assert "truth" in out and "KSG" in out and "Gaussian" in out
    assert "Gaussian 5x5, paired" in out
    assert "Information plane" not in out


def test_demo_writes_the_information_plane(capsys, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    code = main(["demo", "--n-samples", "500", "--epochs", "20", "--out-dir", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "I(T;Y) of the output layer" in out
    assert (tmp_path / "information_plane.png").exists()
    assert (tmp_path / "information_plane.csv").exists()


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_bad_option_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--n-samples", "10"])
    assert exit_info.value.code == 2
    assert "--n-samples must be at least 50" in capsys.readouterr().err


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
    for option in ["--x", "--y", "--method", "--units", "--ci", "--p-value"]:
        assert option in out


def test_bench_runs(capsys):
    assert main(["bench", "--n-samples", "300", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "MAE" in out and "auto" in out
