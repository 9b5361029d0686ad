"""The README's two commands are the ones CI runs and the package provides."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_two_commands():
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("skmi demo")
    assert "pytest" in commands[1]
    assert (ROOT / "README.md").read_text().startswith("# skmi")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _readme_commands()[1] in ci.splitlines()
    assert "torch==2.13.0" in ci  # the CPU wheel, before any extra asks for torch
    assert "NUMBA_CACHE_DIR" in ci


def test_demo_command_exists():
    from skmi.cli import main

    assert callable(main)


def test_ci_builds_checks_and_runs_the_wheel_outside_the_checkout():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python -m build" in ci and "twine check" in ci
    assert "demo --quick" in ci and 'cd "$wheel_env"' in ci


def test_the_information_plane_study_ships_in_the_package():
    # an installed wheel has no examples/: the demo imports the study from skmi
    from skmi.cli.information_plane import run

    assert callable(run)
    example = (ROOT / "examples" / "plot_information_plane.py").read_text()
    assert "from skmi.cli.information_plane import run" in example
