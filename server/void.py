"""The VoID description of the dataset (counts, class partitions, dumps, the latest release's
RDF files, endpoint, vocabularies, URI space), shared by ``/.well-known/void`` and the SPARQL
service description.
Links come from the configured ``public_url`` and ``base_iri``, never from the request."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.flows.release import DESCRIPTION, latest_release
from kg.formats import DUMP_BY_EXTENSION, format_of_path
from kg.query.internal import internal_query
from kg.vocab import DIP
from server.services import get_services

VOID = Namespace("http://rdfs.org/ns/void#")
VOCABULARIES = (
    str(DIP),
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/oa#",
    "http://purl.org/dc/terms/",
)


def add_void(graph: Graph, dataset: URIRef) -> None:
    """Describe the store's dataset as ``dataset`` in ``graph``."""
    services = get_services()
    settings = services.settings
    url = settings.server_url
    graph.bind("void", VOID)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add(
        (dataset, DCTERMS.title, Literal("dipkg diplomatic-event knowledge graph", lang="en"))
    )
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(url + "/sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(settings.base_iri)))
    for ext, fmt in DUMP_BY_EXTENSION.items():
        if fmt.kind == "rdf":  # void:dataDump is an RDF dump; the tables are not
            graph.add((dataset, VOID.dataDump, URIRef(f"{url}/dump.{ext}")))
    latest = latest_release(settings.releases_dir)
    if latest is not None:
        graph.add((dataset, RDFS.seeAlso, URIRef(f"{url}/releases/")))
        for entry in latest.files:
            if entry.name != DESCRIPTION and format_of_path(Path(entry.name), "rdf"):
                graph.add(
                    (
                        dataset,
                        VOID.dataDump,
                        URIRef(f"{url}/releases/{latest.version}/{entry.name}"),
                    )
                )
    for namespace in VOCABULARIES:
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))
    # void:triples counts the dataset's distinct triples: the default graph, their merge
    rows = services.executor.query(internal_query("triple-count")).rows
    graph.add((dataset, VOID.triples, Literal(int(str(rows[0][0])), datatype=XSD.integer)))
    classes = services.executor.query(internal_query("class-partitions")).rows
    for i, (cls, count) in enumerate(classes):
        partition = URIRef(f"{dataset}-class-{i}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(str(cls))))
        graph.add((partition, VOID.entities, Literal(int(str(count)), datatype=XSD.integer)))
