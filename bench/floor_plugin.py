"""The floor: a TensorBoard tab that draws one box the moment TensorBoard runs its module.

TensorBoard shows a plugin's tab (ours too) in an iframe: it loads an entry page, which imports
the plugin's module and calls its ``render()``. This plugin's module is a few lines that put a
one-box SVG in the page. How long a switch to its tab takes to show that box is TensorBoard's
own cost of showing any such tab on that page; ``bench_browser.py --tabs ... floor`` times it
beside the others. Nothing else: it reads no data.

    python3 bench/floor_plugin.py --logdir DIR --host 127.0.0.1 --port N

runs TensorBoard as ``tests/e2e/launch_tensorboard.py`` does (the ``tensorboard`` command, with
this checkout's plugin when it is not installed), with this tab added.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tensorboard.plugins import base_plugin
from werkzeug import wrappers

REPO = Path(__file__).resolve().parents[1]

_MODULE = b"""export function render() {
  document.body.innerHTML =
    '<svg class="sg-floor" width="240" height="60"><g class="node">' +
    '<rect x="1" y="1" width="238" height="58" fill="none" stroke="black"></rect>' +
    '<text x="120" y="35" text-anchor="middle">floor</text></g></svg>';
}
"""


class FloorPlugin(base_plugin.TBPlugin):
    plugin_name = "floor"

    def __init__(self, context: base_plugin.TBContext):
        del context  # reads nothing

    def get_plugin_apps(self):
        return {"/floor.js": self._serve_module}

    def is_active(self) -> bool:
        return False

    def data_plugin_names(self):
        # Listed whenever the logdir holds a graph: beside our tab and the Graphs tab.
        return ("graphs",)

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/floor.js", tab_name="Floor")

    @wrappers.Request.application
    def _serve_module(self, request):
        return wrappers.Response(_MODULE, content_type="text/javascript")


def main() -> None:
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
    import launch_tensorboard

    launch_tensorboard.main(extra_plugins=[FloorPlugin])


if __name__ == "__main__":
    main()
