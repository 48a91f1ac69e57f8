"""Namespaces of dipkg and the standard vocabularies it reuses, and SPARQL prefixes."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

DIP = Namespace("https://w3id.org/dipkg/def#")
DIPSH = Namespace("https://w3id.org/dipkg/shapes#")
DIPC = Namespace("https://w3id.org/dipkg/concept/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
EDTF = Namespace("http://id.loc.gov/datatypes/edtf/")
"""The Library of Congress datatypes of EDTF: ``EDTF:EDTF`` types every level's literals."""

PREFIXES: dict[str, str] = {
    "dip": str(DIP),
    "dipc": str(DIPC),
    "dcterms": str(DCTERMS),
    "oa": str(OA),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "wd": str(WD),
    "xsd": str(XSD),
}


def concept(scheme: str, notation: str) -> URIRef:
    """The IRI of a SKOS concept: ``dipc:{scheme}/{notation}``.

    >>> str(concept("topic", "taiwan"))
    'https://w3id.org/dipkg/concept/topic/taiwan'
    """
    return DIPC[f"{scheme}/{notation}"]


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for query editors and examples."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
