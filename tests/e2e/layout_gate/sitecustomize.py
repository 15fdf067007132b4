"""Holds Graphviz layouts while a gate file exists: the browser tests fill the layout queue with
it (test_queued_tab.py), deterministically, instead of with layouts slow enough.

Python imports `sitecustomize` at start-up from any folder on its path: the tests put this
folder on the PYTHONPATH of a TensorBoard they start, whose layout workers inherit it, and name
the gate file in ``SCOPEGRAPH_TEST_LAYOUT_GATE``. Without that variable this does nothing.
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
