"""The README's two commands are the ones CI runs and the package provides."""

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks():
    text = (ROOT / "README.md").read_text()
    return [block.split("```", 1)[0] for block in text.split("```bash\n")[1:]]


def _readme_commands():
    return [line for line in _bash_blocks()[0].splitlines() if line.strip()]


def _readme_docs_command():
    (command,) = [block.strip() for block in _bash_blocks() if "sphinx-build" in block]
    return command


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


def test_ci_builds_the_docs_with_the_readme_command_in_a_docs_only_env():
    ci = (ROOT / ".ci" / "run").read_text()
    command = _readme_docs_command()
    assert command.startswith('pip install -e ".[docs]" && sphinx-build')
    assert "-W" in command.split()  # warnings are errors for the reader as in CI
    lines = [line.strip() for line in ci.splitlines()]
    assert command in lines
    # in its own fresh environment, after the CPU torch and before nothing else
    before = lines[: lines.index(command)]
    assert before[-1] == "python -m pip install --quiet torch==2.13.0"
    assert any(line.startswith('python3 -m venv "$docs_env') for line in before)
    assert "git status --porcelain" in ci  # the build must leave the checkout alone


def test_docs_extra_holds_what_the_docs_build_imports():
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    names = {req.split(">")[0].split("=")[0].split("[")[0] for req in extras["docs"]}
    # autodoc imports skmi.callbacks.lightning and .skorch; the gallery runs torch,
    # Lightning, skorch, pandas and matplotlib
    assert {"torch", "lightning", "skorch", "pandas", "matplotlib", "sphinx"} <= names
    conf = (ROOT / "doc" / "conf.py").read_text()
    assert "SKMI_EXAMPLES_OUT" in conf and "SKMI_DOCS_FULL" in conf


def test_examples_write_their_files_where_the_docs_build_says():
    # sphinx-gallery runs each example from examples/; its files must not land there
    for path in sorted((ROOT / "examples").glob("plot_*.py")):
        text = path.read_text()
        assert 'os.environ.get("SKMI_EXAMPLES_OUT", ".")' in text, path.name


def test_generated_example_outputs_are_not_tracked():
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files", "examples"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked, "not a git checkout?"
    assert all(name.endswith((".py", ".txt")) for name in tracked), tracked


def test_core_works_without_torch():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ImportError('no torch here')\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "import numpy as np, skmi\n"
        "rng = np.random.default_rng(0)\n"
        "x = rng.normal(size=(2000, 1)); y = x[:, 0] + rng.normal(size=2000)\n"
        "print('torch' in sys.modules, skmi.KSGMutualInfo().fit(x, y).mi_)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # I = 0.5 log 2 for y = x + noise with unit variances
    torch_loaded, mi = done.stdout.split()
    assert torch_loaded == "False"
    assert abs(float(mi) - 0.5 * np.log(2)) < 0.05
