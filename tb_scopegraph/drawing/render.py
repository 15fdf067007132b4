"""DOT to SVG or PNG with Graphviz (pygraphviz), bounded in effort and in wall-clock time.

Graphviz cannot be interrupted once a layout starts, so layouts run in small worker
processes (`tb_scopegraph.drawing._worker`, pygraphviz inside) that are killed when they run past
their time. A layout that does not finish is tried again with cheaper settings, on the same
worker, before the caller is told to close something. Layouts wait for a worker in a fair,
bounded queue (`layouts`) that drops those nobody waits for any more. Finished drawings are
kept in a bounded cache, and on disk (`stored`).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from tb_scopegraph import caching
from tb_scopegraph.drawing import layouts
from tb_scopegraph.drawing.stored import DrawingStore
from tb_scopegraph.errors import RenderError, RenderTimeout

FORMATS = ("svg", "png")


@dataclass(frozen=True)
class Preset:
    """Graphviz settings for one attempt at a layout, with its share of the time budget."""

    name: str
    share: float
    graph_attrs: tuple[tuple[str, str], ...]
    cheap_edges: bool = False  # edge labels placed after layout, straight edges


#: Tried in order; each later one gives up quality for speed.
PRESETS = (
    Preset(
        "full",
        0.3,
        (("newrank", "true"), ("nslimit", "4"), ("mclimit", "0.6"), ("searchsize", "30")),
    ),
    Preset(
        "fast",
        0.3,
        (("newrank", "true"), ("nslimit", "0.2"), ("nslimit1", "0.2"), ("mclimit", "0.1")),
        cheap_edges=True,
    ),
    Preset(
        "draft",
        0.4,
        (
            ("newrank", "true"),
            ("nslimit", "0.01"),
            ("nslimit1", "0.01"),
            ("mclimit", "0.01"),
            ("remincross", "false"),
        ),
        cheap_edges=True,
    ),
)
#: Views with more edges than this start at the second preset: edge labels ranked as nodes
#: make a full layout of a big view take seconds (measured: 643 edges, 1.0 s against 0.2 s).
BIG_VIEW_EDGES = 400

_TINY_DOT = b"digraph { a -> b }"


class Worker:
    """One worker process: jobs and answers go as `multiprocessing.connection` messages over
    its stdin and stdout."""

    def __init__(self) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tb_scopegraph.drawing._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        # The connections own copies of the pipes' ends.
        self._to = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self._from = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.jobs = 0

    def run(self, dot: bytes, fmt: str, preset: Preset, timeout: float) -> tuple[bool, bytes]:
        """Ask for one drawing; (ok, data or error text). Raises TimeoutError, OSError."""
        result: list = []

        def talk() -> None:
            try:
                attrs = dict(preset.graph_attrs)
                job = {"format": fmt, "attrs": attrs, "cheap": preset.cheap_edges}
                self._to.send_bytes(json.dumps(job).encode())
                self._to.send_bytes(dot)
                answer = self._from.recv_bytes()  # a status byte, then the drawing or error
                result.append((answer[:1] == b"+", answer[1:]))
            except (OSError, ValueError, EOFError) as error:
                result.append(error)

        thread = threading.Thread(target=talk, daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            self.proc.kill()  # its pipes close with it: the talk ends, then they are closed
            thread.join()
            self.kill()
            raise TimeoutError
        self.jobs += 1
        if isinstance(result[0], Exception):
            self.kill()
            raise OSError(f"the layout worker stopped: {result[0]}")
        return result[0]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait()
        for connection in (self._to, self._from):
            try:
                connection.close()
            except OSError:
                pass


class Renderer:
    """Layout workers, the queue in front of them and a bounded cache of what they drew.

    At most ``workers`` layouts run at once; the others wait in `layouts.LayoutQueue` (fair
    between views and clients, bounded, dropped when their client leaves). The cache
    (`drawings`) holds at most ``cache_bytes`` of drawings, least recently used first out; a
    drawing asked for while it is being made is laid out once. ``timeout`` bounds a layout's
    run, not its wait for a worker (the queue's ``wait_limit`` does).
    """

    def __init__(
        self,
        workers: int = 2,
        timeout: float = 20.0,
        cache_bytes: int = 64 << 20,
        recycle_after: int = 200,
        presets: tuple[Preset, ...] = PRESETS,
        store: DrawingStore | None = None,
        max_queued: int = layouts.MAX_QUEUED,
        wait_limit: float = layouts.WAIT_LIMIT,
    ) -> None:
        self.timeout = timeout
        self.presets = presets
        #: Drawings kept on disk, read before a layout and written after one (None: none).
        self.store = store
        self.cache_bytes = cache_bytes
        self._recycle_after = recycle_after
        self._slots: list[Worker | None] = [None] * workers  # each dispatcher's worker
        self.layouts = layouts.LayoutQueue(
            self._draw,
            workers,
            max_queued=max_queued,
            wait_limit=wait_limit,
            prepare=self._warm_one,
        )
        self.drawings = caching.lru(cache_bytes, getsizeof=len)
        self._lock = threading.Lock()
        self._counts = {
            "hits": 0,
            "misses": 0,
            "shared": 0,
            "stored": 0,
            "timeouts": 0,
            "fallbacks": 0,
        }

    @property
    def stats(self) -> dict[str, int]:
        """Requests answered from memory (hits), from disk (stored), by a layout they asked
        for (misses) or joined (shared); layouts that timed out or fell back to a cheaper
        preset; and the queue's: layouts run, dropped unstarted, refused, waiters who left."""
        with self._lock:
            return {**self._counts, **self.layouts.stats}

    def workers(self) -> list[Worker | None]:
        """Each dispatcher's worker (None: not started, or stopped)."""
        return list(self._slots)

    def render(self, dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
        """The drawing of ``dot`` as ``fmt`` ("svg" or "png"), asked for by the context's
        `layouts.current_asker()`: LayoutBusy when the queue is full, LayoutCancelled when
        the asker left before it was drawn."""
        if fmt not in FORMATS:
            raise RenderError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        data = dot.encode("utf-8")
        key = (hashlib.sha256(data).digest(), fmt)
        kept = self.drawings.peek(key)
        if kept is not None:
            self._count("hits")
            return kept
        if self.store is not None:
            stored = self.store.get(data, fmt)
            if stored is not None:
                self.drawings.put(key, stored)
                self._count("stored")
                return stored
        budget = self.timeout if timeout is None else timeout
        asker = layouts.current_asker()
        job, joined = self.layouts.submit(
            key,
            (key, data, fmt, budget),
            layouts.size_of(data),
            asker.client,
            kept=lambda: self.drawings.peek(key),
        )
        self._count("shared" if joined else "misses")
        return self.layouts.wait(job, asker.gone)

    def _count(self, stat: str) -> None:
        with self._lock:
            self._counts[stat] += 1

    def warm(self) -> None:
        """Start the workers now, in the background, each drawing a tiny graph: the first real
        layout then does not wait for Python and Graphviz to load (a few hundred ms)."""
        self.layouts.start()

    def _warm_one(self, slot: int) -> None:
        try:
            self._attempt(slot, _TINY_DOT, "svg", self.presets[0], self.timeout)
        except (TimeoutError, OSError):
            pass  # the first real layout starts a worker again

    def _draw(self, job: tuple, slot: int) -> bytes:
        """One queued layout, on the worker of `slot`: each preset in turn until one draws it
        in its share of the budget; the drawing is kept before the job is done."""
        key, dot, fmt, budget = job
        errors = []
        start = 1 if len(self.presets) > 1 and dot.count(b" -> ") > BIG_VIEW_EDGES else 0
        for index, preset in enumerate(self.presets[start:], start):
            if index > start:
                self._count("fallbacks")
            try:
                ok, payload = self._attempt(slot, dot, fmt, preset, budget * preset.share)
            except TimeoutError:
                errors.append(f"{preset.name} layout ran past {budget * preset.share:.1f} s")
                continue
            if ok:
                self.drawings.put(key, payload)
                if self.store is not None:
                    self.store.put(dot, fmt, payload)
                return payload
            errors.append(payload.decode("utf-8", errors="replace").strip())
            if b"Invalid Input" in payload:
                break
        if errors and all("ran past" in e for e in errors):
            self._count("timeouts")
            raise RenderTimeout(
                f"the layout did not finish within {budget:.0f} s; close some scopes "
                "(or open fewer) to draw a smaller view"
            )
        raise RenderError("Graphviz could not draw this view: " + "; ".join(errors))

    def _attempt(
        self, slot: int, dot: bytes, fmt: str, preset: Preset, timeout: float
    ) -> tuple[bool, bytes]:
        """One layout on the worker of `slot` (started, or replaced, as needed)."""
        worker = self._slots[slot]
        if worker is None or not worker.alive() or worker.jobs >= self._recycle_after:
            if worker is not None:
                worker.kill()
            worker = self._slots[slot] = Worker()
        try:
            return worker.run(dot, fmt, preset, timeout)
        except TimeoutError:  # before OSError, of which it is a kind
            self._slots[slot] = None
            raise
        except OSError as error:
            self._slots[slot] = None
            return False, str(error).encode()

    def close(self) -> None:
        """Stop every worker once its layout ends; the renderer starts new ones if used
        again."""
        self.layouts.close()
        for slot, worker in enumerate(self._slots):
            if worker is not None:
                worker.kill()
            self._slots[slot] = None


_shared: Renderer | None = None
_shared_lock = threading.Lock()


def shared_renderer() -> Renderer:
    """The process's one renderer (workers and cache), made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Renderer(store=DrawingStore.from_environment())
        return _shared


def render(dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
    """Draw ``dot`` as SVG or PNG with the shared renderer."""
    return shared_renderer().render(dot, fmt, timeout)
