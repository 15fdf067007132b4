"""Reading graphs: from TensorBoard's data provider, event files and model files, to GraphDefs."""
