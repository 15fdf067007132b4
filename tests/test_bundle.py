"""The tab's three modules (frontend/boot.bundle.js, what TensorBoard loads first;
frontend/bundle.js, the tab; frontend/shared.js, what both import) are its ES modules as they
are now, split as the plugin serves them.

The bundles are committed so that installing and running needs no Node.js; they are made again
here with the pinned esbuild (`npm ci --prefix frontend` in the test command installs it) by
frontend/build.mjs, and must come out byte for byte the same.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
#: Each bundle and the module esbuild starts it from (shared.js: none, what the others share).
BUNDLES = {"boot.bundle.js": "boot.js", "bundle.js": "index.js", "shared.js": None}


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


def _imports(bundle: str) -> list[str]:
    """Where the bundle's static imports come from."""
    return re.findall(r'^import\b[^;]*?\bfrom "([^"]+)";', bundle, flags=re.M | re.S)


def test_every_module_is_bundled_once():
    sources = {path.name for path in FRONTEND.glob("*.js") if path.name not in BUNDLES}
    seen = [_bundled(name)[1] for name in BUNDLES]
    assert set().union(*seen) == sources
    assert sum(len(s) for s in seen) == len(sources), seen


def test_the_tab_imports_only_the_shared_chunk_beside_it():
    bundle, bundled = _bundled("bundle.js")
    assert {"index.js", "tab.js", "model.js", "diff.js"} <= bundled
    assert _imports(bundle) == ["./shared.js"]
    # Started by boot.js, as it runs.
    assert bundle.rstrip().endswith("export {\n  start\n};")


def test_the_shared_chunk_imports_nothing():
    shared, bundled = _bundled("shared.js")
    # What boot.js needs to show the first drawing, not the tab.
    assert {"views.js", "viewport.js"} <= bundled
    assert not {"tab.js", "model.js", "diff.js", "index.js", "boot.js"} & bundled
    assert _imports(shared) == [] and not re.search(r"^import\b", shared, flags=re.M)


def test_the_first_module_is_small_and_imports_the_tab_only_when_it_runs():
    boot, bundled = _bundled("boot.bundle.js")
    assert bundled == {"boot.js"}
    assert len(boot) < len((FRONTEND / "bundle.js").read_text(encoding="utf-8")) / 10
    assert boot.rstrip().endswith("export {\n  render\n};")
    # Served at the route prefix (the plugin's `tab.js`): the shared chunk is under static/,
    # the same URL bundle.js imports it from, so it is fetched and run once.
    assert _imports(boot) == ["./static/shared.js"]
    # The tab, asked for beside this module (under the plugin's route prefix) as it runs.
    assert 'import(new URL("static/bundle.js", import.meta.url).href)' in boot
