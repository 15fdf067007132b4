"""The tab's own files, served from inside the package folder and from nowhere else."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from tensorboard import errors as tb_errors

MIME_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".map": "application/json",
    ".woff2": "font/woff2",
}


def static_root() -> Path:
    """The tab's files: `static/` in an installed package, `frontend/` in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "static"
    if installed.is_dir():
        return installed
    return package.parent / "frontend"


def read(root: Path, path: str) -> tuple[bytes, str]:
    """The file at `path` under `root` and its MIME type; NotFoundError for anything outside."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or any(c in path for c in "\\\x00%:")
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise tb_errors.NotFoundError(f"no static file {path!r}")
    root = root.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise tb_errors.NotFoundError(f"no static file {path!r}")
    mime = MIME_TYPES.get(target.suffix.lower())
    if mime is None:
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return target.read_bytes(), mime
