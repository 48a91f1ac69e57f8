"""Queries: saved queries (``queries/*.rq``: header, parameters bound as RDF terms, paging),
dipkg's own SPARQL (``kg/query/sparql/*.rq``, loaded by name), results in the SPARQL result
formats, resource descriptions and exports."""
