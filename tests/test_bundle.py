"""The tab TensorBoard loads (frontend/bundle.js) is its ES modules as they are now.

The bundle is committed so that installing and running needs no Node.js; it is made again
here with the pinned esbuild (`npm ci --prefix frontend` in the test command installs it) and
must come out byte for byte the same.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"


def build_command(outfile: Path) -> list[str]:
    """package.json's build script, writing to ``outfile``."""
    script = json.loads((FRONTEND / "package.json").read_text())["scripts"]["build"]
    words = script.split()
    assert words[0] == "esbuild" and "--outfile=bundle.js" in words, script
    esbuild = FRONTEND / "node_modules" / ".bin" / "esbuild"
    assert esbuild.exists(), "esbuild is not installed: run `npm ci --prefix frontend`"
    return (
        [str(esbuild)]
        + [w for w in words[1:] if not w.startswith("--outfile=")]
        + [f"--outfile={outfile}"]
    )


def test_the_committed_bundle_is_built_from_the_modules(tmp_path):
    out = tmp_path / "bundle.js"
    subprocess.run(build_command(out), cwd=FRONTEND, check=True, capture_output=True)
    assert out.read_bytes() == (FRONTEND / "bundle.js").read_bytes(), (
        "frontend/bundle.js is stale: run `npm --prefix frontend run build` and commit it"
    )


def test_every_module_of_the_tab_is_in_the_bundle():
    bundle = (FRONTEND / "bundle.js").read_text(encoding="utf-8")
    # esbuild marks where each module starts with a comment naming its file.
    bundled = set(re.findall(r"^// (\w+\.js)$", bundle, flags=re.M))
    modules = {path.name for path in FRONTEND.glob("*.js") if path.name != "bundle.js"}
    assert bundled == modules
    # One ES module whose only export is render(), with no import left to fetch.
    assert bundle.rstrip().endswith("export {\n  render\n};")
    assert not re.search(r"^import\b", bundle, flags=re.M)
