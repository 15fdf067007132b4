"""Where files are read from: a local path as it is, a URL (`s3://`, `gs://`, any fsspec URL)
through fsspec.

The command line and the notebook read logdirs, event files and model files through these
few calls, so a path may be a URL. Local paths keep the operating system's own calls (event
files are mapped into memory). A URL is read with the filesystem fsspec has for its protocol
(`s3fs`, `gcsfs`: the `remote` extra), which takes its endpoint and credentials the standard
way: for S3, `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `~/.aws/config`
and `~/.aws/credentials`; for any protocol, fsspec's configuration (`FSSPEC_S3_ENDPOINT_URL`,
`~/.config/fsspec/*.json`). Every failure of remote storage becomes a `SourceError` naming
the URL and what went wrong in one line.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
from collections.abc import Iterator
from typing import Any

from tb_scopegraph.errors import SourceError


def is_url(path: str) -> bool:
    """Whether `path` is a URL to read through fsspec (`file://` included), not a local path."""
    return "://" in path


def _filesystem(url: str) -> tuple[Any, str]:
    """fsspec's filesystem for `url` and the path within it."""
    try:
        import fsspec
    except ImportError:
        raise SourceError(
            f"cannot read {url}: reading URLs needs fsspec (pip install 'tb-scopegraph[remote]')"
        ) from None
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as e:
        # fsspec names the package a protocol needs ("Install s3fs to access S3").
        raise SourceError(f"cannot read {url}: {e} (pip install 'tb-scopegraph[remote]')") from None
    except ValueError as e:
        raise SourceError(f"cannot read {url}: {e}") from None


@contextlib.contextmanager
def _reporting(url: str) -> Iterator[None]:
    """Turns whatever remote storage raises into a one-line SourceError about `url`."""
    try:
        yield
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError(f"no such file or directory: {url}") from None
    except PermissionError as e:
        raise SourceError(f"permission denied: {url} ({_reason(e)})") from None
    except Exception as e:  # botocore's, aiohttp's, google-auth's errors have no common base
        raise SourceError(f"cannot read {url}: {_reason(e)}") from None


def _reason(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def forget_listings(url: str) -> None:
    """Drop what fsspec remembers of the folders under `url` (its filesystems are shared and
    keep listings), so a logdir read again shows files written since."""
    if is_url(url):
        fs, _ = _filesystem(url)
        with _reporting(url):
            fs.invalidate_cache()


def exists(path: str) -> bool:
    if not is_url(path):
        return os.path.exists(path)
    fs, inner = _filesystem(path)
    with _reporting(path):
        return fs.exists(inner)


def isfile(path: str) -> bool:
    if not is_url(path):
        return os.path.isfile(path)
    fs, inner = _filesystem(path)
    with _reporting(path):
        return fs.isfile(inner)


def isdir(path: str) -> bool:
    if not is_url(path):
        return os.path.isdir(path)
    fs, inner = _filesystem(path)
    with _reporting(path):
        return fs.isdir(inner)


def join(folder: str, name: str) -> str:
    return posixpath.join(folder, name) if is_url(folder) else os.path.join(folder, name)


def basename(path: str) -> str:
    """The last part of a path or URL, ignoring a trailing slash."""
    if is_url(path):
        return posixpath.basename(path.rstrip("/"))
    return os.path.basename(os.path.normpath(path))


def dirname(path: str) -> str:
    """The folder holding a file at a path or URL."""
    if is_url(path):
        return posixpath.dirname(path.rstrip("/"))
    return os.path.dirname(path) or "."


def read_bytes(path: str) -> bytes:
    """The bytes of a file; OSError (locally) or SourceError (a URL) saying why not."""
    if not is_url(path):
        with open(path, "rb") as f:
            return f.read()
    fs, inner = _filesystem(path)
    with _reporting(path):
        return fs.cat_file(inner)


def walk(root: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, names of the files in it) for `root` and the folders under it: every folder
    holding files (a local path also gives those holding none).

    Folders come as paths or URLs like `root`; the order is the storage's.
    """
    if not is_url(root):
        for folder, _dirs, files in os.walk(root):
            yield folder, files
        return
    fs, inner = _filesystem(root)
    with _reporting(root):
        if not fs.isdir(inner):
            raise FileNotFoundError(root)
        # One listing of every file below (paged), not one per folder: object stores have no
        # folders to walk, and on an S3 logdir of 300 runs (moto, 127.0.0.1) walking folder
        # by folder took 6-8 s.
        paths = fs.find(inner)
    base = inner.rstrip("/") or "/"
    folders: dict[str, list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        folders.setdefault(folder, []).append(name)
    for folder, files in folders.items():
        # fsspec gives paths without the protocol; keep the URL's own spelling.
        tail = posixpath.relpath(folder, base)
        yield (root if tail == "." else posixpath.join(root, tail)), files


def relative(folder: str, root: str) -> str:
    """`folder` (from `walk(root)`) relative to `root`, with `/` between parts."""
    if is_url(root):
        return posixpath.relpath(folder, root)
    return os.path.relpath(folder, root).replace(os.sep, "/")
