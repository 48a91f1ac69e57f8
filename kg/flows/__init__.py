"""Flows: the arrows of the data flow in order, as the CLI and the server call them. Build a
store from a corpus, ingest articles, load RDF files, validate, evaluate extraction."""
