"""Drawings kept on disk, so that a restarted server (or a second one) draws a view at once.

A drawing is the layout of one DOT text in one format by one Graphviz: the DOT holds the graph's
content for that view and the view itself, so the key is a hash of the DOT, the format, the
Graphviz version and this package's version, and nothing drawn by another engine is reused.
The folder is a `diskcache` cache bounded in bytes, least recently used first out (several
processes may share it).

The store never fails a request: a folder that cannot be made or opened, a corrupt or foreign
file, a full disk: each is logged once and read as "not stored". Every value carries a hash of
its bytes, checked when read, so a damaged file is dropped and drawn again, never served.

Configured by environment variables: ``TB_SCOPEGRAPH_CACHE_DIR`` (a folder, or ``off``; by
default the user's cache directory, e.g. ``~/.cache/tb-scopegraph/drawings``) and
``TB_SCOPEGRAPH_CACHE_MB`` (default 1024).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from importlib import metadata
from pathlib import Path

import diskcache
import platformdirs

logger = logging.getLogger(__name__)

DIR_VARIABLE = "TB_SCOPEGRAPH_CACHE_DIR"
MB_VARIABLE = "TB_SCOPEGRAPH_CACHE_MB"
DEFAULT_MB = 1024
_DIGEST_SIZE = 16
#: What the store's operations may raise: sqlite on a corrupt or locked database, OSError on
#: a full disk or a missing file, diskcache's own timeout.
_FAILURES = (OSError, sqlite3.Error, diskcache.Timeout, ValueError, EOFError)


def default_dir() -> Path:
    """Where drawings are stored unless ``TB_SCOPEGRAPH_CACHE_DIR`` says otherwise."""
    return Path(platformdirs.user_cache_dir("tb-scopegraph")) / "drawings"


def _engine() -> str:
    try:
        ours = metadata.version("tb-scopegraph")
    except metadata.PackageNotFoundError:
        ours = "source"
    # pygraphviz's wheels bundle Graphviz, so its version names the layout engine too; read
    # from its metadata, not by importing it (the server lays out in worker processes).
    try:
        graphviz = metadata.version("pygraphviz")
    except metadata.PackageNotFoundError:
        graphviz = "unknown"
    return f"tb-scopegraph {ours}; pygraphviz {graphviz}"


def _hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST_SIZE).digest()


class DrawingStore:
    """Drawings on disk, keyed by what they are drawn from (see the module docstring)."""

    def __init__(self, directory: Path | str, max_bytes: int, engine: str | None = None) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.engine = _engine() if engine is None else engine
        self._cache: diskcache.Cache | None = None
        self._lock = threading.Lock()
        self._broken = False

    @classmethod
    def from_environment(cls) -> DrawingStore | None:
        """The store the environment asks for; None when it says ``off``."""
        where = os.environ.get(DIR_VARIABLE, "").strip()
        if where.lower() == "off":
            return None
        try:
            mb = float(os.environ.get(MB_VARIABLE, DEFAULT_MB))
        except ValueError:
            logger.warning("%s is not a number; storing up to %d MB", MB_VARIABLE, DEFAULT_MB)
            mb = DEFAULT_MB
        if mb <= 0:
            return None
        return cls(Path(where) if where else default_dir(), int(mb * (1 << 20)))

    def key(self, dot: str | bytes, fmt: str) -> str:
        """The key of ``dot`` drawn as ``fmt`` by this engine."""
        data = dot.encode() if isinstance(dot, str) else dot
        return hashlib.sha256(
            b"%s\0%s\0%s" % (self.engine.encode(), fmt.encode(), data)
        ).hexdigest()

    def get(self, dot: str | bytes, fmt: str) -> bytes | None:
        """The stored drawing of ``dot`` as ``fmt``; None when there is none (or it is damaged)."""
        cache = self._open()
        if cache is None:
            return None
        key = self.key(dot, fmt)
        try:
            value = cache.get(key)
        except _FAILURES as error:
            self._failed("read", error)
            return None
        if value is None:
            return None
        if not isinstance(value, bytes) or _hash(value[_DIGEST_SIZE:]) != value[:_DIGEST_SIZE]:
            logger.warning("dropping a damaged drawing from %s", self.directory)
            self._forget(cache, key)
            return None
        return value[_DIGEST_SIZE:]

    def put(self, dot: str | bytes, fmt: str, drawing: bytes) -> None:
        """Keep ``drawing`` (of ``dot`` as ``fmt``); a failure to write is logged, not raised."""
        if len(drawing) > self.max_bytes // 8:
            return  # one drawing may not take over the store
        cache = self._open()
        if cache is None:
            return
        try:
            cache.set(self.key(dot, fmt), _hash(drawing) + drawing)
        except _FAILURES as error:
            self._failed("write", error)

    def close(self) -> None:
        with self._lock:
            if self._cache is not None:
                self._cache.close()
                self._cache = None

    def _open(self) -> diskcache.Cache | None:
        with self._lock:
            if self._cache is not None or self._broken:
                return self._cache
            try:
                self._cache = self._made()
            except _FAILURES as error:
                # A foreign or corrupt database: start the folder again, once.
                logger.warning(
                    "drawing store %s unreadable (%s); starting it anew", self.directory, error
                )
                try:
                    # Only the database: the folder may hold what is not ours.
                    for name in ("cache.db", "cache.db-wal", "cache.db-shm"):
                        (self.directory / name).unlink(missing_ok=True)
                    self._cache = self._made()
                except _FAILURES as again:
                    logger.warning("not storing drawings on disk: %s", again)
                    self._broken = True
            return self._cache

    def _made(self) -> diskcache.Cache:
        # timeout: how long sqlite waits on another process's lock before the store gives up
        # (and the drawing is laid out as if nothing were stored).
        return diskcache.Cache(
            str(self.directory),
            size_limit=self.max_bytes,
            eviction_policy="least-recently-used",
            timeout=1,
        )

    def _forget(self, cache: diskcache.Cache, key: str) -> None:
        try:
            cache.delete(key)
        except _FAILURES as error:
            self._failed("delete", error)

    def _failed(self, what: str, error: BaseException) -> None:
        logger.warning("drawing store %s: could not %s: %s", self.directory, what, error)
