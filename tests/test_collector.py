"""The plugin freezes what a TensorBoard program loaded before it (plugin/collector.py), so that
the garbage collector's full passes skip it; in any other process it leaves the collector be.

Each case runs in a fresh Python: a freeze is once per process, and would hold this one's
objects too.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

MAKE_PLUGIN = """
import argparse, gc, sys
from tensorboard.plugins import base_plugin
from tb_scopegraph.plugin import ScopeGraphPlugin
from tb_scopegraph.plugin.collector import freeze_startup_objects

flags = argparse.Namespace() if sys.argv[1] == "program" else None
ScopeGraphPlugin(base_plugin.TBContext(flags=flags), prepare_first_view=False)
print(gc.get_freeze_count(), freeze_startup_objects())
"""


def frozen_after_making_the_plugin(where: str) -> tuple[int, str]:
    """(objects frozen, whether a second freeze froze anything) in a fresh Python."""
    done = subprocess.run(
        [sys.executable, "-c", MAKE_PLUGIN, where],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    count, again = done.stdout.split()
    return int(count), again


@pytest.mark.parametrize("where", ["program", "elsewhere"])
def test_only_a_tensorboard_program_freezes_what_it_loaded(where):
    count, again = frozen_after_making_the_plugin(where)
    if where == "program":
        # TensorBoard's modules alone are tens of thousands of objects; frozen once only.
        assert count > 10_000 and again == "False"
    else:
        assert count == 0 and again == "True"
