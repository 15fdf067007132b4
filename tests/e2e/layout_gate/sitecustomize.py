"""Holds Graphviz layouts while a gate file exists: the browser tests fill the layout queue with
it (test_queued_tab.py), deterministically, instead of with layouts slow enough.

Python imports `sitecustomize` at start-up from any folder on its path: the tests put this
folder on the PYTHONPATH of a TensorBoard they start, whose layout workers inherit it, and name
the gate file in ``SCOPEGRAPH_TEST_LAYOUT_GATE`` (and a small bound on the layouts that may
wait in ``SCOPEGRAPH_TEST_MAX_QUEUED``). Without those variables this does nothing.
"""

import os
import time

GATE = os.environ.get("SCOPEGRAPH_TEST_LAYOUT_GATE")
#: A layout is held at most this long, so that a test that fails to open the gate ends.
HOLD_AT_MOST = 60.0

if GATE:
    import pygraphviz

    _layout = pygraphviz.AGraph.layout

    def _held_layout(self, *args, **kwargs):
        # The workers' warm-up drawing (two nodes) passes: a worker starts as it always does.
        if self.number_of_nodes() > 2:
            until = time.monotonic() + HOLD_AT_MOST
            while os.path.exists(GATE) and time.monotonic() < until:
                time.sleep(0.05)
        return _layout(self, *args, **kwargs)

    pygraphviz.AGraph.layout = _held_layout

# How many layouts may wait at once, when ``SCOPEGRAPH_TEST_MAX_QUEUED`` says: a test fills
# that small a queue to be answered "busy" (503, Retry-After).
MAX_QUEUED = os.environ.get("SCOPEGRAPH_TEST_MAX_QUEUED")

if MAX_QUEUED:
    from tb_scopegraph.drawing import layouts

    _init = layouts.LayoutQueue.__init__

    def _small_queue_init(self, *args, **kwargs):
        _init(self, *args, **{**kwargs, "max_queued": int(MAX_QUEUED)})

    layouts.LayoutQueue.__init__ = _small_queue_init
