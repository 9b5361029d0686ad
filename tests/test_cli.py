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
