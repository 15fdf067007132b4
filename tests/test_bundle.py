"""The tab's two modules (frontend/bundle.js, the tab; frontend/boot.bundle.js, what TensorBoard
loads first) are its ES modules as they are now.

The bundles are committed so that installing and running needs no Node.js; they are made again
here with the pinned esbuild (`npm ci --prefix frontend` in the test command installs it) and
must come out byte for byte the same.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
#: Each bundle and the module esbuild starts it from.
BUNDLES = {"bundle.js": "index.js", "boot.bundle.js": "boot.js"}


def build_commands(outdir: Path) -> dict[str, list[str]]:
    """package.json's build script, one esbuild command per bundle, each writing to `outdir`."""
    script = json.loads((FRONTEND / "package.json").read_text())["scripts"]["build"]
    esbuild = FRONTEND / "node_modules" / ".bin" / "esbuild"
    assert esbuild.exists(), "esbuild is not installed: run `npm ci --prefix frontend`"
    commands = {}
    for command in script.split("&&"):
        words = command.split()
        assert words[0] == "esbuild", script
        outfile = [w for w in words if w.startswith("--outfile=")]
        assert len(outfile) == 1, script
        name = outfile[0].removeprefix("--outfile=")
        assert words[1] == BUNDLES[name], script
        rest = [w for w in words[1:] if not w.startswith("--outfile=")]
        commands[name] = [str(esbuild), *rest, f"--outfile={outdir / name}"]
    assert set(commands) == set(BUNDLES), script
    return commands


def test_the_committed_bundles_are_built_from_the_modules(tmp_path):
    for name, command in build_commands(tmp_path).items():
        subprocess.run(command, cwd=FRONTEND, check=True, capture_output=True)
        assert (tmp_path / name).read_bytes() == (FRONTEND / name).read_bytes(), (
            f"frontend/{name} is stale: run `npm --prefix frontend run build` and commit it"
        )


def _bundled(name: str) -> tuple[str, set[str]]:
    bundle = (FRONTEND / name).read_text(encoding="utf-8")
    # esbuild marks where each module starts with a comment naming its file.
    return bundle, set(re.findall(r"^// (\w+\.js)$", bundle, flags=re.M))


def test_every_module_of_the_tab_is_in_the_bundle():
    bundle, bundled = _bundled("bundle.js")
    sources = {path.name for path in FRONTEND.glob("*.js") if path.name not in BUNDLES}
    assert bundled == sources - {"boot.js"}
    # One ES module, started by render() (on its own) or start() (by boot.js), with no import
    # left to fetch.
    assert bundle.rstrip().endswith("export {\n  render,\n  start\n};")
    assert not re.search(r"^import\b", bundle, flags=re.M)


def test_the_first_module_is_small_and_imports_the_tab_only_when_it_runs():
    boot, bundled = _bundled("boot.bundle.js")
    # What the first drawing needs, not the tab: no model, no Tab, no diffs.
    assert "boot.js" in bundled and not {"tab.js", "model.js", "diff.js", "index.js"} & bundled
    assert len(boot) < len((FRONTEND / "bundle.js").read_text(encoding="utf-8")) / 3
    assert boot.rstrip().endswith("export {\n  render\n};")
    assert not re.search(r"^import\b", boot, flags=re.M)
    # The tab, asked for beside this module (under the plugin's route prefix) as it runs.
    assert 'import(new URL("static/bundle.js", import.meta.url).href)' in boot
