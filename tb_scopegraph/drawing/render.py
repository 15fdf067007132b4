"""DOT to SVG or PNG with Graphviz (pygraphviz), bounded in effort and in wall-clock time.

Graphviz cannot be interrupted once a layout starts, so layouts run in small worker
processes (`tb_scopegraph.drawing._worker`, pygraphviz inside) that are killed when they run past
their time. A layout that does not finish is tried again with cheaper settings before the
caller is told to close something. Finished drawings are kept in a bounded cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from tb_scopegraph import caching
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


class _Worker:
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
    """A pool of layout workers and a bounded cache of what they drew.

    At most ``workers`` layouts run at once; a request waits for a free worker within its
    own time budget. The cache (`drawings`) holds at most ``cache_bytes`` of drawings, least
    recently used first out; a drawing asked for while it is being made is laid out once.
    """

    def __init__(
        self,
        workers: int = 2,
        timeout: float = 20.0,
        cache_bytes: int = 64 << 20,
        recycle_after: int = 200,
        presets: tuple[Preset, ...] = PRESETS,
        store: DrawingStore | None = None,
    ) -> None:
        self.timeout = timeout
        self.presets = presets
        #: Drawings kept on disk, read before a layout and written after one (None: none).
        self.store = store
        self.cache_bytes = cache_bytes
        self._recycle_after = recycle_after
        self._workers = workers
        self._warmed = False
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(workers):
            self._idle.put(None)  # started on first use
        self.drawings = caching.lru(cache_bytes, getsizeof=len)
        self._lock = threading.Lock()
        self.stats = {
            "hits": 0,
            "misses": 0,
            "shared": 0,
            "stored": 0,
            "timeouts": 0,
            "fallbacks": 0,
        }

    def render(self, dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
        """The drawing of ``dot`` as ``fmt`` ("svg" or "png")."""
        if fmt not in FORMATS:
            raise RenderError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        data = dot.encode("utf-8")
        key = (hashlib.sha256(data).digest(), fmt)
        budget = self.timeout if timeout is None else timeout
        try:
            drawing, how = self.drawings.lookup(key, lambda: self._kept_or_drawn(data, fmt, budget))
        except BaseException:
            self._count("misses")
            raise
        self._count({"hit": "hits", "shared": "shared", "miss": "misses"}[how])
        return drawing

    def _kept_or_drawn(self, dot: bytes, fmt: str, budget: float) -> bytes:
        """The drawing from the disk store when it has it, else laid out (and stored)."""
        store = self.store
        if store is not None:
            kept = store.get(dot, fmt)
            if kept is not None:
                self._count("stored")
                return kept
        drawing = self._draw(dot, fmt, budget)
        if store is not None:
            store.put(dot, fmt, drawing)
        return drawing

    def _count(self, stat: str) -> None:
        with self._lock:
            self.stats[stat] += 1

    def warm(self) -> None:
        """Start the workers now, in the background, each drawing a tiny graph: the first real
        layout then does not wait for Python and Graphviz to load (a few hundred ms)."""
        with self._lock:
            if self._warmed:
                return
            self._warmed = True
        for _ in range(self._workers):
            threading.Thread(target=self._warm_one, daemon=True).start()

    def _warm_one(self) -> None:
        try:
            self._run(_TINY_DOT, "svg", self.presets[0], self.timeout)
        except (TimeoutError, OSError):
            pass  # the first real layout starts a worker again

    def _draw(self, dot: bytes, fmt: str, budget: float) -> bytes:
        errors = []
        start = 1 if len(self.presets) > 1 and dot.count(b" -> ") > BIG_VIEW_EDGES else 0
        for index, preset in enumerate(self.presets[start:], start):
            if index > start:
                self.stats["fallbacks"] += 1
            try:
                ok, payload = self._run(dot, fmt, preset, budget * preset.share)
            except TimeoutError:
                errors.append(f"{preset.name} layout ran past {budget * preset.share:.1f} s")
                continue
            if ok:
                return payload
            errors.append(payload.decode("utf-8", errors="replace").strip())
            if b"Invalid Input" in payload:
                break
        if errors and all("ran past" in e for e in errors):
            self.stats["timeouts"] += 1
            raise RenderTimeout(
                f"the layout did not finish within {budget:.0f} s; close some scopes "
                "(or open fewer) to draw a smaller view"
            )
        raise RenderError("Graphviz could not draw this view: " + "; ".join(errors))

    def _run(self, dot: bytes, fmt: str, preset: Preset, timeout: float) -> tuple[bool, bytes]:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        try:
            if worker is None or not worker.alive() or worker.jobs >= self._recycle_after:
                if worker is not None:
                    worker.kill()
                worker = _Worker()
            try:
                return worker.run(dot, fmt, preset, timeout)
            except TimeoutError:  # before OSError, of which it is a kind
                worker = None
                raise
            except OSError as error:
                worker = None
                return False, str(error).encode()
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker; the renderer starts new ones if used again."""
        self._warmed = False
        workers = []
        while True:
            try:
                workers.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in workers:
            if worker is not None:
                worker.kill()
            self._idle.put(None)


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
