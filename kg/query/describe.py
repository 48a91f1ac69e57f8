"""What a resource's description holds, as SPARQL: its own triples, the evidence spans and
selectors behind it, and the labels of what it links to. Used by the linked-data pages and
content negotiation; never pasted values: the resource IRI is serialised by rdflib."""

from __future__ import annotations

from rdflib import URIRef

PREFIXES = """PREFIX dip: <https://w3id.org/dipkg/def#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def describe_query(iri: URIRef) -> str:
    """CONSTRUCT the description of one resource.

    >>> "<http://x/a>" in describe_query(URIRef("http://x/a"))
    True
    """
    term = iri.n3()
    return (
        PREFIXES
        + f"""CONSTRUCT {{
  {term} ?p ?o .
  ?span ?spanP ?spanO .
  ?selector ?selectorP ?selectorO .
  ?linked ?labelProperty ?linkedLabel .
}} WHERE {{
  {{ {term} ?p ?o . FILTER(?p != dip:text) }}
  UNION {{
    {term} prov:wasDerivedFrom ?span .
    ?span ?spanP ?spanO .
    OPTIONAL {{ ?span oa:hasSelector ?selector . ?selector ?selectorP ?selectorO }}
  }}
  UNION {{
    {term} ?q ?linked .
    VALUES ?labelProperty {{ rdfs:label skos:prefLabel }}
    ?linked ?labelProperty ?linkedLabel
  }}
}}"""
    )


def incoming_query(iri: URIRef, limit: int = 200) -> str:
    """SELECT what links to a resource: subject, its label, the property."""
    return (
        PREFIXES
        + f"""SELECT DISTINCT ?subject ?label ?property WHERE {{
  ?subject ?property {iri.n3()} .
  FILTER(?property != rdf:type && ?property != prov:wasDerivedFrom)
  OPTIONAL {{ ?subject rdfs:label ?label }}
}} ORDER BY ?property ?subject LIMIT {int(limit)}"""
    )


def evidence_query(iri: URIRef) -> str:
    """SELECT the evidence behind a resource: document id, offsets, exact text."""
    return (
        PREFIXES
        + f"""PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?document ?identifier ?start ?end ?text WHERE {{
  {iri.n3()} prov:wasDerivedFrom ?span .
  ?span oa:hasSource ?document ; oa:hasSelector ?selector .
  ?document dcterms:identifier ?identifier .
  ?selector oa:start ?start ; oa:end ?end ; oa:exact ?text .
}} ORDER BY ?identifier ?start"""
    )


def document_spans_query(document: URIRef) -> str:
    """SELECT every span of a document with the facts derived from it."""
    return (
        PREFIXES
        + f"""SELECT DISTINCT ?start ?end ?fact ?label WHERE {{
  ?span oa:hasSource {document.n3()} ; oa:hasSelector ?selector .
  ?selector oa:start ?start ; oa:end ?end .
  ?fact prov:wasDerivedFrom ?span .
  OPTIONAL {{ ?fact rdfs:label ?label }}
}} ORDER BY ?start ?end ?fact"""
    )
