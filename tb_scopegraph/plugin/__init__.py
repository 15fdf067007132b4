"""The TensorBoard plugin (`tb_scopegraph.plugin:ScopeGraphPlugin`, the entry point).

`routes` holds the plugin class and its routes, `query` reads a route's query, `answers` gives
every route its one shape and its JSON errors, `static` serves the tab's files, and `warmup`
prepares the tab's first view. The graphs themselves come from `tb_scopegraph.service`.
"""

from tb_scopegraph.plugin.routes import GRAPH_PLUGIN_NAMES, PLUGIN_NAME, ScopeGraphPlugin

__all__ = ["GRAPH_PLUGIN_NAMES", "PLUGIN_NAME", "ScopeGraphPlugin"]
