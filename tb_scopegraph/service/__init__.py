"""One service between the graph model and the front doors (plugin, command line, notebook).

It answers, once for all three, which graph a front door means, which view of it, what the
drawing is called, and the drawing itself:

- `query.ViewQuery`: what a front door asks for, one view of one graph (its run, kind and
  tag, open groups and depth, colouring, rolling, area), one frozen value built once;
- `graphs.GraphService(provider)`: through a TensorBoard data provider, (run, kind, tag,
  step) -> a cached `Hierarchy` (`hierarchy`, `locate`); a `ViewQuery` -> a view (`view`),
  DOT (`dot`), SVG/PNG (`image`); the same for the diff of two graphs, summaries linked to
  names, search;
- `local`: a path (logdir, event file, SavedModel, graph file) with an optional run, kind
  and tag -> one `LocalGraph` (its `Hierarchy`, where it was found, its title); a graph in
  memory (tf.Graph, GraphDef) -> its `Hierarchy`;
- `views`: the one rule for the view asked for (`asked_view`, `diff_view`) and the title
  (`title`, `diff_title`);
- `output`: DOT drawn as SVG/PNG (`draw`) and written to a file whole or not at all;
- `search`: regular-expression search bounded in time.

Submodules are imported where used: the command line starts without TensorBoard's data
provider machinery.
"""
