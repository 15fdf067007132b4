"""The caches of the server: `cachetools` caches made safe for threads, computing a value once.

Two shapes, one for each kind of thing kept:

- `SingleFlight` over a size-bounded `cachetools` cache, for what is costly to make (parsed
  graphs, diffs, DOT texts, drawings): a missing value is made by the first caller while every
  other caller of the same key waits for it, so a burst of requests parses a graph once.
  Failures are not kept: the next caller tries again.
- `Lookups`, for what a data provider answers (listings, blob keys, summary tags): trusted for
  `ttl` seconds, so a burst of requests asks the provider once. With a `refresh` executor, an
  answer up to `stale` seconds older still answers at once and is looked up again in the
  background: the request that comes after a pause does not wait on the provider, which after
  a few idle seconds answered tens of ms late (measured by bench/bench_idle.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import Any

import cachetools

logger = logging.getLogger("tensorboard")


class SingleFlight:
    """A thread-safe `cachetools` cache whose missing values are computed once per key."""

    def __init__(self, cache: cachetools.Cache):
        self.cache = cache
        self._lock = threading.Lock()
        self._pending: dict[Hashable, Future] = {}

    def get(self, key: Hashable, load: Callable[[], Any], replaces: tuple | None = None) -> Any:
        """The value of `key`, made by `load()` unless kept; `replaces`: a key prefix whose
        other entries the new value makes stale (they are dropped when it is kept)."""
        return self.lookup(key, load, replaces)[0]

    def lookup(
        self, key: Hashable, load: Callable[[], Any], replaces: tuple | None = None
    ) -> tuple[Any, str]:
        """(value, how): how is "hit" (kept), "shared" (made by another caller meanwhile) or
        "miss" (made by this caller)."""
        with self._lock:
            try:
                return self.cache[key], "hit"
            except KeyError:
                pass
            future = self._pending.get(key)
            owner = future is None
            if owner:
                future = self._pending[key] = Future()
        if not owner:
            return future.result(), "shared"
        try:
            value = load()
        except BaseException as e:
            with self._lock:
                self._pending.pop(key, None)
            future.set_exception(e)
            # Nobody else may wait on it: retrieved here, the failure is not logged as lost.
            future.exception()
            raise
        with self._lock:
            self._pending.pop(key, None)
            if replaces is not None:
                for old in [k for k in self.cache if k[: len(replaces)] == replaces]:
                    del self.cache[old]
            try:
                self.cache[key] = value
            except ValueError:
                pass  # larger than the whole cache: handed out, not kept
        future.set_result(value)
        return value, "miss"

    def peek(self, key: Hashable) -> Any:
        """The kept value of `key` (now most recently used), or None."""
        with self._lock:
            return self.cache.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        """Keeps `value` for `key`, made elsewhere (one too large for the cache is not kept)."""
        with self._lock:
            try:
                self.cache[key] = value
            except ValueError:
                pass

    def find(self, prefix: tuple) -> Any:
        """A kept value whose key starts with `prefix`, or None."""
        with self._lock:
            for key, value in self.cache.items():
                if key[: len(prefix)] == prefix:
                    return value
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self.cache)


def lru(maxsize: int, getsizeof: Callable[[Any], int] | None = None) -> SingleFlight:
    """A `SingleFlight` over an LRU cache of at most `maxsize` entries, or, with `getsizeof`,
    of at most that much summed size; then a value over half of it is handed out but not
    kept, so that one large drawing does not push every other out."""
    if getsizeof is None:
        return SingleFlight(cachetools.LRUCache(maxsize))

    def weigh(value: Any) -> int:
        size = getsizeof(value)
        return size if size <= maxsize // 2 else maxsize + 1  # too large: not kept

    return SingleFlight(cachetools.LRUCache(maxsize, getsizeof=weigh))


class Lookups:
    """Answers trusted for `ttl` seconds; with `refresh`, `stale` seconds more while they are
    looked up again in the background (once at a time per key). Older than that, or when its
    refresh failed until then, an answer is looked up by the request that asks for it."""

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        stale: float = 0.0,
        refresh: ThreadPoolExecutor | None = None,
        maxsize: int = 1024,
    ):
        self.ttl = ttl
        self.stale = stale if refresh is not None else 0.0
        self.clock = clock
        self._refresh = refresh
        self._lock = threading.Lock()
        # Entries are (time looked up, answer); TTLCache drops them once too old to answer.
        self._entries: cachetools.TTLCache = cachetools.TTLCache(
            maxsize, ttl=self.ttl + self.stale, timer=clock
        )
        self._refreshing: dict[Hashable, Future] = {}

    def get(self, key: Hashable, load: Callable[[], Any], stale_ok: bool = True) -> Any:
        """The answer for `key`, looked up by `load()` unless trusted; `stale_ok=False`: not
        older than `ttl` (a caller that asks to see what changed)."""
        now = self.clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self.ttl:
                return hit[1]
            if stale_ok and hit is not None and now - hit[0] < self.ttl + self.stale:
                if key not in self._refreshing:
                    self._refreshing[key] = self._refresh.submit(self._reload, key, load)
                return hit[1]
        value = load()
        self._store(key, value, now)
        return value

    def _reload(self, key: Hashable, load: Callable[[], Any]) -> None:
        try:
            now = self.clock()
            self._store(key, load(), now)
        except Exception:  # the old answer stays; once too old, a request looks it up again
            logger.debug("scopegraph: looking %r up again failed", key, exc_info=True)
        finally:
            with self._lock:
                self._refreshing.pop(key, None)

    def _store(self, key: Hashable, value: Any, at: float) -> None:
        """Keeps `value`, looked up at time `at`, unless a lookup begun later was kept."""
        if self.ttl + self.stale <= 0:
            return  # trusted for no time at all
        with self._lock:
            kept = self._entries.get(key)
            if kept is None or kept[0] <= at:
                self._entries[key] = (at, value)

    def settle(self, timeout: float | None = None) -> None:
        """Waits until the lookups under way in the background are done."""
        with self._lock:
            refreshing = list(self._refreshing.values())
        futures_wait(refreshing, timeout)

    def drop(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)
