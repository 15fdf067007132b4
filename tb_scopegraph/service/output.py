"""Drawings out of the service: DOT drawn as SVG or PNG, and written to a file safely."""

from __future__ import annotations

import os
import tempfile

from tb_scopegraph.drawing import render

#: The formats a file's suffix names.
SUFFIX_FORMATS = {".svg": "svg", ".dot": "dot", ".gv": "dot", ".png": "png"}


def format_of(path: str | os.PathLike[str]) -> str | None:
    """The format a file's suffix names, or None."""
    return SUFFIX_FORMATS.get(os.path.splitext(os.fspath(path))[1].lower())


def draw(dot: str, fmt: str, timeout: float | None = None, *, own_worker: bool = False) -> bytes:
    """`dot` as `fmt`: "dot" (the text itself), "svg" or "png" drawn by Graphviz.

    `own_worker`: with one layout worker started for this drawing and stopped after it (a
    command that exits when done), instead of the process's shared, cached renderer."""
    if fmt == "dot":
        return dot.encode("utf-8")
    if not own_worker:
        return render.render(dot, fmt, timeout=timeout)
    renderer = render.Renderer(workers=1, **({} if timeout is None else {"timeout": timeout}))
    try:
        return renderer.render(dot, fmt)
    finally:
        renderer.close()


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one.

    The bytes go to a temporary file beside `path`, which then replaces it; on any failure
    the temporary file is removed and `path` is left as it was.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    except OSError as e:
        # Name the folder that cannot be written to, not the temporary file's made-up name.
        raise OSError(e.errno, f"cannot write into folder ({e.strerror})", folder) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, _mode_for(path))
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def _mode_for(path: str) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 - umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
