"""The only place IRIs are minted. The scheme is documented in docs/model.md ("IRIs").

Every function takes the deployment's ``base`` (setting ``base_iri``) so a deployment can serve
its own domain; identifiers are readable slugs (an event's IRI says when, what and who).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from rdflib import URIRef

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def is_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI (RFC 3987, as Oxigraph checks it): a path that
    would make an invalid IRI names no resource, and must never reach a query.

    >>> [is_iri(t) for t in ("https://w3id.org/dipkg/id/a", "https://x/a b", "https://x/>")]
    [True, False, False]
    """
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(text)
    except ValueError:
        return False
    return True


def slug(text: str) -> str:
    """A path segment safe for an IRI, keeping it readable.

    >>> slug("2023-11-15")
    '2023-11-15'
    >>> slug("a b/c")
    'a-b-c'
    """
    return _UNSAFE.sub("-", text).strip("-") or quote(text, safe="")


def actor_iri(base: str, actor_id: str) -> URIRef:
    """``{base}actor/{id}`` for people, states, organisations, offices and sources."""
    return URIRef(f"{base}actor/{slug(actor_id)}")


def place_iri(base: str, place_id: str) -> URIRef:
    """``{base}place/{id}``."""
    return URIRef(f"{base}place/{slug(place_id)}")


def office_term_iri(base: str, person_id: str, office_id: str) -> URIRef:
    """``{base}actor/{person}/term/{office}``: a person's term in an office."""
    return URIRef(f"{actor_iri(base, person_id)}/term/{slug(office_id)}")


def event_iri(
    base: str, date: str | None, event_type: str, actor_ids: list[str], distinct: str = ""
) -> URIRef:
    """``{base}event/{date}-{type}-{participants}``; an event without participants ends in
    ``distinct`` instead (:func:`discriminator`): date and type alone name no one event.

    >>> event_iri("http://x/", "2023-11-15", "meeting", ["xi-jinping", "joe-biden"])
    rdflib.term.URIRef('http://x/event/2023-11-15-meeting-joe-biden-xi-jinping')
    >>> event_iri("http://x/", None, "summit", [], discriminator("doc_1", "G20 summit"))
    rdflib.term.URIRef('http://x/event/undated-summit-e15edc2b')
    """
    parts = [date or "undated", event_type.replace("_", "-"), *sorted(actor_ids)]
    if not actor_ids and distinct:
        parts.append(distinct)
    return URIRef(f"{base}event/{slug('-'.join(parts))}")


def redated(iri: URIRef, old: str | None, new: str) -> URIRef | None:
    """The IRI ``iri`` would have been minted with under the date ``new`` instead of ``old``
    (ISO forms; ``None``: undated): event, pledge, demand and statement IRIs start their last
    segment with the date (:func:`event_iri`, :func:`pledge_iri`, ...). ``None`` when ``iri``
    does not start so (an IRI of another form keeps its name).

    >>> redated(URIRef("http://x/event/undated-call-a-b"), None, "2024-07-04")
    rdflib.term.URIRef('http://x/event/2024-07-04-call-a-b')
    >>> redated(URIRef("http://x/pledge/2023-11-a-trade"), "2023-11", "2023-11-15")
    rdflib.term.URIRef('http://x/pledge/2023-11-15-a-trade')
    >>> redated(URIRef("http://x/event/g20-summit"), None, "2024") is None
    True
    """
    head, _, last = str(iri).rpartition("/")
    prefix = f"{slug(old) if old else 'undated'}-"
    if not head or not last.startswith(prefix):
        return None
    return URIRef(f"{head}/{slug(new)}-{last[len(prefix) :]}")


def discriminator(*parts: str) -> str:
    """8 hex of the SHA-1 of ``parts``: what tells apart two resources whose readable IRIs
    would be the same, drawn from their content, so that it never depends on the order in
    which documents arrive (docs/model.md, "IRIs").

    >>> discriminator("doc_1", "G20 summit")
    'e15edc2b'
    """
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:8]


def participation_iri(event: URIRef, actor_id: str) -> URIRef:
    """``{event}/participant/{actor}``."""
    return URIRef(f"{event}/participant/{slug(actor_id)}")


def merge_reason_iri(node: URIRef, document_id: str) -> URIRef:
    """``{node}/merge/{document-id}``: why that document's report was merged into the node.

    >>> merge_reason_iri(URIRef("http://x/event/e"), "doc_1")
    rdflib.term.URIRef('http://x/event/e/merge/doc_1')
    """
    return URIRef(f"{node}/merge/{slug(document_id)}")


def pledge_iri(base: str, date: str | None, maker_ids: list[str], topic: str) -> URIRef:
    """``{base}pledge/{date}-{makers}-{topic}``."""
    parts = [date or "undated", *sorted(maker_ids), topic.replace("_", "-")]
    return URIRef(f"{base}pledge/{slug('-'.join(parts))}")


def status_step_iri(pledge: URIRef, document_id: str, n: int) -> URIRef:
    """``{pledge}/step/{document}-{n}``: the n-th step a document reports."""
    return URIRef(f"{pledge}/step/{slug(document_id)}-{n}")


def response_iri(demand: URIRef, document_id: str, n: int) -> URIRef:
    """The ``n``-th response a document reports to a demand, under the demand's IRI."""
    return URIRef(f"{demand}/response/{slug(document_id)}-{n}")


def demand_iri(base: str, date: str | None, requester_ids: list[str], topic: str) -> URIRef:
    """``{base}demand/{date}-{requesters}-{topic}``."""
    parts = [date or "undated", *sorted(requester_ids), topic.replace("_", "-")]
    return URIRef(f"{base}demand/{slug('-'.join(parts))}")


def statement_iri(base: str, date: str | None, speaker_id: str, quote_text: str) -> URIRef:
    """``{base}statement/{date}-{speaker}-{8 hex of the quote's SHA-1}``."""
    digest = discriminator(quote_text)
    return URIRef(f"{base}statement/{slug('-'.join([date or 'undated', speaker_id, digest]))}")


def document_iri(base: str, document_id: str) -> URIRef:
    """``{base}document/{id}``."""
    return URIRef(f"{base}document/{slug(document_id)}")


def span_iri(base: str, document_id: str, start: int, end: int) -> URIRef:
    """``{base}document/{id}/span/{start}-{end}``."""
    return URIRef(f"{document_iri(base, document_id)}/span/{start}-{end}")


def selector_iri(span: URIRef) -> URIRef:
    """``{span}/selector``: the span's position-and-quote selector."""
    return URIRef(f"{span}/selector")


def document_graph_iri(base: str, document_id: str) -> URIRef:
    """``{base}graph/{id}``: the named graph holding what one document supports."""
    return URIRef(f"{base}graph/{slug(document_id)}")


def registry_graph_iri(base: str) -> URIRef:
    """``{base}graph/registry``."""
    return URIRef(f"{base}graph/registry")


def vocabulary_graph_iri(base: str) -> URIRef:
    """``{base}graph/vocabulary``: the ontology and the SKOS schemes."""
    return URIRef(f"{base}graph/vocabulary")


def retired_graph_iri(base: str) -> URIRef:
    """``{base}graph/retired``: the IRIs the graph no longer describes, and what replaced
    each (``dcterms:isReplacedBy``); no document's graph, so replacing one keeps them."""
    return URIRef(f"{base}graph/retired")


def changes_graph_iri(base: str) -> URIRef:
    """``{base}graph/changes``: the history of changes to the store (``dip:Change``), kept
    by every write and replaced by none."""
    return URIRef(f"{base}graph/changes")


def change_iri(base: str, started: str, *parts: str) -> URIRef:
    """``{base}change/{started}-{8 hex of parts}``: one change; ``started`` is its start time
    without separators, so the IRIs of changes sort by time.

    >>> change_iri("http://x/", "20261202T060000123456Z", "ingest", "doc_1")
    rdflib.term.URIRef('http://x/change/20261202T060000123456Z-d18c2e25')
    """
    return URIRef(f"{base}change/{started}-{discriminator(started, *parts)}")


def with_suffix(iri: URIRef, suffix: str) -> URIRef:
    """``{iri}-{suffix}``: an IRI told apart from another with the same readable part.

    >>> with_suffix(URIRef("http://x/pledge/p"), "0a1b2c3d")
    rdflib.term.URIRef('http://x/pledge/p-0a1b2c3d')
    """
    return URIRef(f"{iri}-{suffix}")
