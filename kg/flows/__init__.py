"""Flows: the arrows of the data flow in order, as the CLI and the server call them. Build a
store from a corpus, ingest articles, load RDF files, remove documents (every write recorded
in the history of changes), validate, evaluate extraction."""
