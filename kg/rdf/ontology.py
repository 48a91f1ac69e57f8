"""The ontology and its SKOS schemes, loaded from ``ontology/`` (``dip*.ttl`` and
``schemes/*.ttl``), and the notations of each scheme that codings and extraction check
their concepts against."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

from kg.errors import InputError
from kg.records import Vocabulary
from kg.vocab import DIPC


def load_vocabulary(ontology_dir: Path) -> Graph:
    """The ontology and every SKOS scheme of ``ontology_dir`` as one graph.

    Raises:
        InputError: a Turtle file does not parse.
    """
    graph = Graph()
    files = sorted(ontology_dir.glob("dip*.ttl")) + sorted((ontology_dir / "schemes").glob("*.ttl"))
    if not files:
        raise InputError(f"{ontology_dir}: no ontology files (dip*.ttl) found.")
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise InputError(f"{path}: does not parse as Turtle: {exc}") from exc
    return graph


def scheme_notations(vocabulary: Graph) -> Vocabulary:
    """Notations of every SKOS scheme in the vocabulary graph, by scheme name."""
    notations: dict[str, set[str]] = {}
    for concept, scheme in vocabulary.subject_objects(SKOS.inScheme):
        name = str(scheme).removeprefix(str(DIPC))
        for notation in vocabulary.objects(concept, SKOS.notation):
            notations.setdefault(name, set()).add(str(notation))
    return {k: frozenset(v) for k, v in notations.items()}
