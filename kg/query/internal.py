"""dipkg's own SPARQL: one ``.rq`` file per query in ``kg/query/sparql/``, loaded by name.

A file holds the query without PREFIX lines (the namespaces of :mod:`kg.vocab` go before it)
and names its inputs as ``VALUES ?_name { UNDEF }`` slots, as the saved queries do. A slot is
filled with RDF terms serialised by rdflib (one term, several, or none: an empty ``VALUES``
matches nothing), never with pasted text; a slot left as it is stays unbound.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib.term import Node

from kg.vocab import sparql_prefixes

DIRECTORY = Path(__file__).with_name("sparql")


@functools.cache
def _text(name: str) -> str:
    path = DIRECTORY / f"{name}.rq"
    return path.read_text(encoding="utf-8")


def internal_query(name: str, **slots: Node | Iterable[Node]) -> str:
    """The query ``{name}.rq`` with the namespaces' prefixes and its slots filled.

    >>> from rdflib import URIRef
    >>> "VALUES ?_resource { <http://x/a> }" in internal_query("exists", resource=URIRef("http://x/a"))
    True

    Raises:
        ValueError: the file has no slot of a given name (a programming error).
    """
    text = _text(name)
    for slot, value in slots.items():
        terms = [value] if isinstance(value, Node) else list(value)
        filled = " ".join(term.n3() for term in terms)
        pattern = re.compile(rf"VALUES\s+\?_{re.escape(slot)}\s*\{{\s*UNDEF\s*\}}")
        text, count = pattern.subn(f"VALUES ?_{slot} {{ {filled} }}".replace("\\", r"\\"), text)
        if not count:
            raise ValueError(f"{name}.rq has no slot ?_{slot}")
    return sparql_prefixes() + text


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def ordered(query: str, column: str, item: str, descending: bool = False) -> str:
    """A query (without an ``ORDER BY``) sorted by the variable ``column``, ties broken by
    ``item`` in the same direction. The names come from the code (a listing's columns), and
    anything else is refused.

    >>> ordered("SELECT * WHERE { ?s ?p ?o }", "o", "s", descending=True).splitlines()[-1]
    'ORDER BY DESC(?o) DESC(?s)'

    Raises:
        ValueError: a name is not a SPARQL variable name (a programming error).
    """
    if not (_NAME.fullmatch(column) and _NAME.fullmatch(item)):
        raise ValueError(f"not variable names: {column!r}, {item!r}")
    keys = f"DESC(?{column}) DESC(?{item})" if descending else f"?{column} ?{item}"
    return f"{query.rstrip()}\nORDER BY {keys}"


def paged(query: str, limit: int, offset: int) -> str:
    """A query (ending with its ``ORDER BY``) cut to one page of ``limit`` rows after
    ``offset``.

    >>> paged("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s", 10, 20).splitlines()[-1]
    'LIMIT 10 OFFSET 20'
    """
    return f"{query}\nLIMIT {int(limit)} OFFSET {int(offset)}\n"


def query_names() -> list[str]:
    """The names of every internal query."""
    return sorted(p.stem for p in DIRECTORY.glob("*.rq"))
