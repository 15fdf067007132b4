"""The README's two commands: CI runs the test command as written, in a fresh environment."""

import re
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent


def _sh_blocks(text):
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command_in_a_fresh_virtual_environment():
    readme = (TOP / "README.md").read_text(encoding="utf-8")
    demo, tests = (block.strip() for block in _sh_blocks(readme)[:2])
    ci = (TOP / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, "CI must run the README's test command as written"
    # The virtual environment is removed before the command makes it again.
    assert ci.index("rm -rf .venv") < ci.index(tests)
    for command in (demo, tests):
        # Debian's own pip refuses to install outside a virtual environment (PEP 668).
        steps = command.split(" && ")
        made = steps.index("python3 -m venv .venv")
        assert steps[made + 1] == ". .venv/bin/activate"
        assert "python3-venv" in " ".join(steps[:made])
        assert all("pip install" not in step for step in steps[:made])
