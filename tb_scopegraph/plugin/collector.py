"""Short garbage-collector pauses in the TensorBoard process: what it loaded at start is frozen.

A full pass of Python's cyclic garbage collector holds the GIL while it scans every object it
tracks, and every request waits for it. TensorBoard imports TensorFlow before it makes its
plugins: about 310,000 tracked objects, whose full pass takes 0.4 s on an idle core. Under 50
clients (`bench/bench_load.py`, 2 shared cores) full passes took 0.6-2.7 s and made the tail of
every route's latency, JSON answers included. What is alive when the plugin is made (modules:
TensorBoard's, TensorFlow's, their plugins) lives as long as the process, so `gc.freeze` moves it
out of every later pass, which then scans only what came since (graphs read, caches, requests).

Only inside a TensorBoard program (its context has flags): a test, a notebook or a script that
makes the plugin keeps its collector as it was.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = False


def freeze_startup_objects() -> bool:
    """Freezes what is alive now, once per process (start-up garbage is collected first, not
    frozen); whether this call froze it."""
    global _frozen
    with _lock:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen = True
        return True
