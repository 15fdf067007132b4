"""The graph model and its views: the scope tree, views, structure, paths and diffs."""
