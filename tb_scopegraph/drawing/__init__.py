"""Drawing a view: DOT text, colours and legends, and Graphviz in bounded workers."""
