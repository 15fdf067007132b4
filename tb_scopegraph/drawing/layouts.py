"""The layouts waiting for a worker: served fairly, bounded in number, dropped when unwanted.

A view not drawn before becomes one `Job`; every request for the same drawing while it waits
or runs joins that job instead of making another (single flight). A few dispatcher threads, one
per layout worker, take jobs and run them.

**Order.** Earliest deadline first, where a job's deadline is the time it was asked for plus its
size (the boxes and edges of its DOT) times `AGEING` seconds. Among jobs asked for at about the
same time, the smaller view, quicker to lay out, goes first; a big view is passed by smaller
ones asked for at most size × `AGEING` seconds after it, never starved. Deadlines are fixed
when a job is queued, so a heap keeps them in order without re-sorting as jobs age.

**One client, not every worker.** While another client's job waits, a client (a tab, a
script: see `Asker`) runs layouts on at most ``workers - 1`` workers, so one client's slow
layouts leave a worker to everyone else. With nothing else waiting, it may use them all.

**Bound.** At most `max_queued` jobs wait; a job beyond that is refused with `LayoutBusy` (a
503 with Retry-After), as is a request whose job did not start within its wait limit. A request
that joins a job already queued is never refused. There is no share of the queue per client.

**Where a client stands.** `standing(client)` says, for each drawing a client's requests wait
for (asked for by it or joined), whether it runs or how many jobs come before it, so that a tab
can say "3rd in line" while it waits (the plugin's `queue` route).

**Cancelling.** A waiter polls whether its client is still there (`Asker.gone`): one that left
(the browser closed the connection, as the tab does when a newer view supersedes a request)
stops waiting; a job nobody waits for any more is dropped before it starts. A job already
running is left to finish within its time limit, which the renderer enforces: its drawing is
kept for the next request, and stopping it would cost the worker's restart.

Hand-written over `queue.PriorityQueue` because of the client rule: taking a job may skip jobs
of a client at its share, which a PriorityQueue cannot do, and the heap, the jobs by key and
the counts per client change together under one lock.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import math
import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from typing import Any

from tb_scopegraph.errors import LayoutBusy, LayoutCancelled

#: Seconds a job's deadline moves back per box or edge of its view. Layouts cost up to about a
#: millisecond per box or edge (bench/README.md: views of 36 to 628 took 0.05 to 0.47 s), so
#: a 600-box view yields to small views asked for up to 1.2 s after it.
AGEING = 0.002
#: Jobs that may wait for a worker at once.
MAX_QUEUED = 64
#: Seconds a request waits for its job to start before it is answered "busy".
WAIT_LIMIT = 60.0
#: How often a waiter looks whether its client left.
POLL_SECONDS = 0.2


def never() -> bool:
    """Never gone: the asker of drawings made outside a request."""
    return False


@dataclass(frozen=True)
class Asker:
    """Who asks for the drawings made in this context: a client to share workers fairly
    between (None: the process itself, e.g. the command line or drawing a view ahead), and
    whether that client has left."""

    client: Hashable = None
    gone: Callable[[], bool] = never


_NOBODY = Asker()
_ASKER: contextvars.ContextVar[Asker | None] = contextvars.ContextVar("layout_asker", default=None)


def current_asker() -> Asker:
    """Who asks for the drawings of the current request (see `asking`)."""
    return _ASKER.get() or _NOBODY


@contextlib.contextmanager
def asking(client: Hashable, gone: Callable[[], bool] = never) -> Iterator[None]:
    """Drawings asked for inside are asked for by `client`, who left once `gone()` is true."""
    token = _ASKER.set(Asker(client, gone))
    try:
        yield
    finally:
        _ASKER.reset(token)


def connection_closed(sock: socket.socket) -> Callable[[], bool]:
    """A test of whether the peer of `sock` (a request's connection) has closed it.

    Readable with nothing to read is a closed connection; bytes waiting (a next request on a
    kept-alive connection) are left where they are."""

    poller: list[select.poll] = []  # made when first asked: most requests never ask

    def closed() -> bool:
        try:
            if not poller:
                # Not select.select: it fails on descriptors above 1023.
                poller.append(select.poll())
                poller[0].register(sock, select.POLLIN)
            if not poller[0].poll(0):
                return False
            return sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:  # reset, or closed on our side
            return True

    return closed


def size_of(dot: bytes) -> int:
    """A layout's estimated cost: its boxes and edges (each is written with an id)."""
    return dot.count(b'" [id="')


QUEUED, RUNNING, DROPPED = "queued", "running", "dropped"


@dataclass(eq=False)
class Job:
    """One layout asked for, and the requests waiting for it."""

    key: Hashable
    payload: Any
    size: int
    client: Hashable
    deadline: float
    seq: int
    future: Future = field(default_factory=Future)
    waiters: int = 1
    state: str = QUEUED

    def __lt__(self, other: Job) -> bool:
        return (self.deadline, self.seq) < (other.deadline, other.seq)


class LayoutQueue:
    """Jobs waiting for `workers` dispatchers, each of which calls `run(payload, slot)` (its
    slot, 0 to workers - 1, names the worker it owns); see the module's docstring.

    `prepare(slot)`, if given, runs on each dispatcher's thread as it starts (starting its
    worker before any job needs it)."""

    def __init__(
        self,
        run: Callable[[Any, int], Any],
        workers: int,
        *,
        max_queued: int = MAX_QUEUED,
        ageing: float = AGEING,
        wait_limit: float = WAIT_LIMIT,
        prepare: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workers = workers
        self.max_queued = max_queued
        self.ageing = ageing
        self.wait_limit = wait_limit
        self._run = run
        self._prepare = prepare
        self._clock = clock
        self._cond = threading.Condition()
        self._heap: list[Job] = []
        self._jobs: dict[Hashable, Job] = {}  # queued or running, by key
        self._queued: Counter = Counter()  # by client
        self._running: Counter = Counter()  # by client
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._mean_run = 1.0  # seconds, for Retry-After: a moving average of runs
        self._waiting: dict[Hashable, Counter] = {}  # by client: the jobs its requests wait for
        self.stats = Counter(runs=0, dropped=0, refused=0, left=0)

    # --- asking ---

    def submit(
        self,
        key: Hashable,
        payload: Any,
        size: int,
        client: Hashable = None,
        kept: Callable[[], Any] | None = None,
    ) -> tuple[Job, bool]:
        """(job, joined): the job making `key`, joined when it was queued or running already.
        `kept()`: the value if it was made meanwhile (then the job returned is done).
        LayoutBusy when the queue is full."""
        with self._cond:
            job = self._jobs.get(key)
            if job is not None:
                job.waiters += 1
                return job, True
            if kept is not None and (value := kept()) is not None:
                done = Job(key, payload, size, client, 0.0, -1, state=RUNNING)
                done.future.set_result(value)
                return done, True
            waiting = sum(self._queued.values())
            if waiting >= self.max_queued:
                self.stats["refused"] += 1
                raise LayoutBusy(
                    f"{_count(waiting, 'drawing')} waiting for"
                    f" {_count(self.workers, 'layout worker')}; try again in"
                    f" {self._retry_after()} s",
                    self._retry_after(),
                )
            deadline = self._clock() + size * self.ageing
            job = Job(key, payload, size, client, deadline, next(self._seq))
            self._jobs[key] = job
            self._queued[client] += 1
            heapq.heappush(self._heap, job)
            self._start()
            self._cond.notify()
            return job, False

    def wait(self, job: Job, gone: Callable[[], bool] = never) -> Any:
        """The job's value (or its error), unless `gone()` first (LayoutCancelled) or the job
        did not start within the wait limit (LayoutBusy); then this waiter leaves it. The
        context's asker (`current_asker`) is counted as waiting for it (see `standing`)."""
        client = current_asker().client
        with self._cond:
            self._waiting.setdefault(client, Counter())[job] += 1
        try:
            return self._wait(job, gone)
        finally:
            with self._cond:
                waits = self._waiting[client]
                waits[job] -= 1
                if waits[job] <= 0:
                    del waits[job]
                if not waits:
                    del self._waiting[client]

    def _wait(self, job: Job, gone: Callable[[], bool]) -> Any:
        since = self._clock()
        while True:
            futures_wait([job.future], timeout=POLL_SECONDS)
            if job.future.done():
                return job.future.result()
            if gone() and self.leave(job):
                raise LayoutCancelled("the client that asked for this drawing left")
            if job.state == QUEUED and self._clock() - since > self.wait_limit:
                ahead = self.position(job)
                if self.leave(job, unless_started=True):
                    retry = self._retry_after()
                    raise LayoutBusy(
                        f"this drawing waited {self.wait_limit:.0f} s for a layout worker, "
                        f"{ahead} others still ahead of it; try again in {retry} s",
                        retry,
                    )

    def leave(self, job: Job, unless_started: bool = False) -> bool:
        """One waiter stops waiting for `job`; the last one drops it if it has not started.
        False, and the waiter stays, when the job is done or (`unless_started`) running."""
        with self._cond:
            if job.future.done() or (unless_started and job.state != QUEUED):
                return False
            job.waiters -= 1
            self.stats["left"] += 1
            if job.waiters <= 0 and job.state == QUEUED:
                job.state = DROPPED
                self._forget(job)
                _uncount(self._queued, job.client)
                self.stats["dropped"] += 1
                job.future.cancel()
            return True

    def position(self, job: Job) -> int:
        """How many queued jobs come before `job` (0 when it runs or is next)."""
        with self._cond:
            return self._ahead(job)

    def _ahead(self, job: Job) -> int:
        if job.state != QUEUED:
            return 0
        return sum(1 for other in self._heap if other.state == QUEUED and other < job)

    def standing(self, client: Hashable) -> dict[str, Any]:
        """Where the drawings that `client`'s requests wait for stand: ``layouts``, each
        ``{"state": "queued", "ahead": n}`` (n jobs come before it, by deadline: the client
        rule may still let a job pass) or ``{"state": "running"}``, first in line first; and
        the queue's ``queued`` and ``running`` jobs and its ``workers``."""
        with self._cond:
            waits = self._waiting.get(client, {})
            mine = [job for job in waits if not job.future.done() and job.state != DROPPED]
            mine.sort(key=lambda job: (job.state == QUEUED, job.deadline, job.seq))
            found = [
                {"state": job.state, "ahead": self._ahead(job)}
                if job.state == QUEUED
                else {"state": job.state}
                for job in mine
            ]
            return {
                "layouts": found,
                "queued": sum(self._queued.values()),
                "running": sum(self._running.values()),
                "workers": self.workers,
            }

    def queued(self) -> int:
        with self._cond:
            return sum(self._queued.values())

    # --- serving ---

    def _start(self) -> None:
        """Starts the dispatchers if they are not running (under the lock)."""
        if self._threads or self._closing:
            return
        for slot in range(self.workers):
            thread = threading.Thread(
                target=self._serve, args=(slot,), daemon=True, name=f"layout-{slot}"
            )
            self._threads.append(thread)
            thread.start()

    def start(self) -> None:
        """Starts the dispatchers now (each runs `prepare` first)."""
        with self._cond:
            self._start()

    def _serve(self, slot: int) -> None:
        if self._prepare is not None:
            self._prepare(slot)
        while True:
            with self._cond:
                job = self._take()
                while job is None:
                    if self._closing:
                        return
                    self._cond.wait()
                    job = self._take()
                job.state = RUNNING
                _uncount(self._queued, job.client)
                self._running[job.client] += 1
                self.stats["runs"] += 1
            started = self._clock()
            try:
                value, error = self._run(job.payload, slot), None
            except BaseException as e:  # handed to the waiters
                value, error = None, e
            with self._cond:
                _uncount(self._running, job.client)
                self._forget(job)
                self._mean_run = 0.8 * self._mean_run + 0.2 * (self._clock() - started)
                self._cond.notify_all()  # a client below its share again may have jobs waiting
            if error is None:
                job.future.set_result(value)
            else:
                job.future.set_exception(error)
                job.future.exception()  # retrieved: not logged as lost if nobody waits

    def _take(self) -> Job | None:
        """The job to run next (under the lock): the earliest deadline among clients below
        their share of the workers, else the earliest deadline."""
        share = max(1, self.workers - 1)
        skipped: list[Job] = []
        chosen = None
        while self._heap:
            job = heapq.heappop(self._heap)
            if job.state != QUEUED:
                continue  # dropped
            if job.client is not None and self._running[job.client] >= share:
                skipped.append(job)
                continue
            chosen = job
            break
        if chosen is None and skipped:
            chosen = skipped.pop(0)  # nobody else waits: the client may use every worker
        for job in skipped:
            heapq.heappush(self._heap, job)
        return chosen

    def _forget(self, job: Job) -> None:
        if self._jobs.get(job.key) is job:
            del self._jobs[job.key]

    def _retry_after(self) -> int:
        waiting = sum(self._queued.values()) + sum(self._running.values())
        return max(1, math.ceil(waiting * self._mean_run / self.workers))

    def close(self) -> None:
        """Stops the dispatchers once their running jobs end; queued jobs fail. Usable again
        afterwards (new dispatchers start with the next job)."""
        with self._cond:
            self._closing = True
            threads, self._threads = self._threads, []
            queued = [job for job in self._heap if job.state == QUEUED]
            self._heap.clear()
            for job in queued:
                job.state = DROPPED
                self._forget(job)
                _uncount(self._queued, job.client)
            self._cond.notify_all()
        for job in queued:
            job.future.set_exception(LayoutCancelled("the layout workers were stopped"))
            job.future.exception()
        for thread in threads:
            thread.join()
        with self._cond:
            self._closing = False


def _uncount(counts: Counter, client: Hashable) -> None:
    """One job fewer for `client`; a client with none is forgotten: each tab names itself, and
    counts left at 0 would keep every tab ever opened, summed over by every submit."""
    counts[client] -= 1
    if counts[client] <= 0:
        del counts[client]


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless one: "1 drawing", "2 layout workers"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
