"""Reading graphs: from TensorBoard's data provider, event files and model files, to GraphDefs.

One module per format (`run_graph`, `run_metadata`, `keras_model`, `meta_graph`, `graph_file`,
`saved_model`), listed in `formats`; `data_provider` and `local` read through that table.
Import each name from the module that owns it: this package re-exports nothing.
"""
