"""The tab's two modules (frontend/boot.bundle.js, what TensorBoard loads first, with the
modules it imports; frontend/bundle.js, the tab, which takes those modules from the first) are
its ES modules as they are now.

The bundles are committed so that installing and running needs no Node.js; they are made again
here with the pinned esbuild (`npm ci --prefix frontend` in the test command installs it) by
frontend/build.mjs, and must come out byte for byte the same.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
#: Each bundle and the module esbuild starts it from.
BUNDLES = {"boot.bundle.js": "boot.js", "bundle.js": "index.js"}
#: What boot.js needs to show the first drawing, bundled with it and shared with the tab.
SHARED = {"location.js", "svgimport.js", "theme.js", "viewport.js", "views.js"}


def test_the_committed_bundles_are_built_from_the_modules(tmp_path):
    assert (FRONTEND / "node_modules" / "esbuild").is_dir(), (
        "esbuild is not installed: run `npm ci --prefix frontend`"
    )
    subprocess.run(
        ["node", "build.mjs", str(tmp_path)], cwd=FRONTEND, check=True, capture_output=True
    )
    assert {path.name for path in tmp_path.iterdir()} == set(BUNDLES)
    for name in BUNDLES:
        assert (tmp_path / name).read_bytes() == (FRONTEND / name).read_bytes(), (
            f"frontend/{name} is stale: run `npm --prefix frontend run build` and commit it"
        )


def _bundled(name: str) -> tuple[str, set[str]]:
    bundle = (FRONTEND / name).read_text(encoding="utf-8")
    # esbuild marks where each module starts with a comment naming its file.
    return bundle, set(re.findall(r"^// (\w+\.js)$", bundle, flags=re.M))


def _imports(bundle: str) -> set[str]:
    """Where the bundle's static imports come from."""
    return set(re.findall(r'^import\b[^;]*?\bfrom "([^"]+)";', bundle, flags=re.M | re.S))


def test_every_module_is_bundled_once():
    sources = {path.name for path in FRONTEND.glob("*.js") if path.name not in BUNDLES}
    boot, tab = _bundled("boot.bundle.js")[1], _bundled("bundle.js")[1]
    assert boot | tab == sources and not boot & tab, (boot, tab)


def test_the_first_module_is_boot_and_what_it_shows_the_first_drawing_with():
    boot, bundled = _bundled("boot.bundle.js")
    # Not the tab: no model, no Tab, no diffs.
    assert bundled == {"boot.js"} | SHARED
    assert len(boot) < len((FRONTEND / "bundle.js").read_text(encoding="utf-8")) / 2
    # Nothing to fetch before it runs.
    assert not _imports(boot) and not re.search(r"^import\b", boot, flags=re.M)
    # render() for TensorBoard, and the shared modules' names for the tab.
    exported = re.search(r"^export \{([^}]*)\};\s*$", boot, flags=re.M)
    assert exported, boot[-500:]
    names = {name.strip() for name in exported.group(1).split(",")}
    assert {"render", "buildShell", "Viewport", "firstVisit", "followTheme"} <= names
    # The tab, asked for beside this module (under the plugin's route prefix) as it runs.
    assert 'import(new URL("static/bundle.js", import.meta.url).href)' in boot


def test_the_tab_takes_the_shared_modules_from_the_first():
    bundle, bundled = _bundled("bundle.js")
    assert {"index.js", "tab.js", "model.js", "diff.js"} <= bundled
    assert not SHARED & bundled
    # Served under static/: `../tab.js` is the URL TensorBoard imported the first module
    # from, so the browser has it already (one copy, run once, nothing fetched).
    assert _imports(bundle) == {"../tab.js"}
    # Started by boot.js, as it runs.
    assert bundle.rstrip().endswith("export {\n  start\n};")
