"""RDF: records -> one named graph per document (PROV, evidence spans), the ontology and its
SKOS schemes, SHACL validation and its reports, and reading RDF files safely."""
