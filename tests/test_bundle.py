"""The tab's two built files are its sources as they are now: frontend/bundle.js, its one module
(index.js and every module it imports, minified), and frontend/style.css, its one stylesheet
(the parts frontend/style/index.css imports, in that order).

Both are committed so that installing and running needs no Node.js; they are made again here
with the pinned esbuild (`npm ci --prefix frontend` in the test command installs it) by
frontend/build.mjs, and must come out byte for byte the same.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
#: What build.mjs writes.
BUILT = {"bundle.js", "style.css"}


def test_the_committed_bundle_and_stylesheet_are_built_from_the_sources(tmp_path):
    assert (FRONTEND / "node_modules" / "esbuild").is_dir(), (
        "esbuild is not installed: run `npm ci --prefix frontend`"
    )
    subprocess.run(
        ["node", "build.mjs", str(tmp_path)], cwd=FRONTEND, check=True, capture_output=True
    )
    assert {path.name for path in tmp_path.iterdir()} == BUILT
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (FRONTEND / name).read_bytes(), (
            f"frontend/{name} is stale: run `npm --prefix frontend run build` and commit it"
        )


def test_the_bundle_is_every_module_once_and_fetches_nothing(tmp_path):
    # The modules esbuild bundled (build.mjs --inputs prints them).
    done = subprocess.run(
        ["node", "build.mjs", str(tmp_path), "--inputs"],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
        text=True,
    )
    bundled = json.loads(done.stdout)
    sources = {path.name for path in FRONTEND.glob("*.js")} - {"bundle.js"}
    assert sorted(bundled) == sorted(sources)
    bundle = (FRONTEND / "bundle.js").read_text(encoding="utf-8")
    # Nothing to fetch before or after it runs: no import, static or dynamic.
    assert not re.search(r"(^|[;}])import\b", bundle, flags=re.M)
    assert not re.search(r"\bimport\(", bundle)
    # render() for TensorBoard, and nothing else.
    assert re.search(r"export\{\w+ as render\};\s*$", bundle)


def test_the_stylesheet_is_every_part_once_in_the_order_index_css_imports_them():
    index = (FRONTEND / "style" / "index.css").read_text(encoding="utf-8")
    imported = re.findall(r"^@import '\./(\w+\.css)';$", index, flags=re.M)
    parts = {path.name for path in (FRONTEND / "style").glob("*.css")} - {"index.css"}
    assert sorted(imported) == sorted(parts)
    style = (FRONTEND / "style.css").read_text(encoding="utf-8")
    # esbuild marks where each part starts with a comment naming its file.
    joined = re.findall(r"^/\* style/(\w+\.css) \*/$", style, flags=re.M)
    assert joined == [*imported, "index.css"]
    assert "@import" not in style
    # Each part's rules are in the stylesheet, as the part writes them.
    for part in parts:
        text = (FRONTEND / "style" / part).read_text(encoding="utf-8")
        for selector in re.findall(r"^(\.sg-[\w-]+) \{$", text, flags=re.M):
            assert f"\n{selector} {{\n" in style, (part, selector)
