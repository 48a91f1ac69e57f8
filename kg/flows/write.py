"""The one write of document graphs (ingest, build over an existing store): the graphs
replaced whole in one transaction, and with them the graph of retired IRIs amended, so that
every IRI the old versions published keeps answering (:mod:`kg.resolve.retirement`)."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Dataset, URIRef

from kg import iris
from kg.rdf.mapping import map_retirements
from kg.resolve.retirement import Retirements, retirements
from kg.store.base import Amendment, Store


def retirement_amendment(found: Retirements, base: str) -> Amendment:
    """The change to the graph of retired IRIs that ``found`` says."""
    return Amendment(iris.retired_graph_iri(base), found.cleared, map_retirements(found.records))


def replace_keeping_iris(
    store: Store, dataset: Dataset, base: str, retract: Sequence[tuple[URIRef, URIRef]] = ()
) -> Retirements:
    """Replace the named graphs of ``dataset`` (after ``retract``), retiring in the same
    transaction the IRIs they no longer describe; what was retired and revived."""
    found = retirements(store, dataset, base)
    store.replace_graphs(dataset, retract, [retirement_amendment(found, base)])
    return found
