"""The query gate: checks on the raw text of a SPARQL query before any engine sees it.

Engines crash on deep nesting and make outbound requests for SERVICE, so both are refused on
the text, with strings, IRIs and comments skipped. Updates are refused: the query endpoint is
read-only. See SECURITY.md of the project brief.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import QueryError

MAX_QUERY_CHARS = 100_000
MAX_NESTING = 40

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRIs
    r"|#[^\n]*"  # comments
    r"|[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+"  # variables
    r"|[A-Za-z_][A-Za-z0-9_.-]*:[^\s{}()<>\"',;]*"  # prefixed names
    r"|[A-Za-z]+"  # keywords
    r"|\d+"  # integers
    r"|[{}()]"
    r"|\S",
    re.DOTALL,
)
_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True, slots=True)
class CheckedQuery:
    """A query that passed the gate, and its form (select, ask, construct, describe)."""

    text: str
    form: str
    limit: int | None = None
    """The query's top-level LIMIT, if it has one (then it can return no more rows)."""


def check_query(text: str, *, max_chars: int = MAX_QUERY_CHARS) -> CheckedQuery:
    """Refuse what must never reach an engine; return the query's form.

    >>> check_query("PREFIX s: <http://x/> SELECT * WHERE { ?s ?p 'SERVICE' }").form
    'select'

    Raises:
        QueryError: too long, nested too deeply, SERVICE, an update, or no query form.
    """
    if len(text) > max_chars:
        raise QueryError(
            f"The query is {len(text)} characters long; the limit is {max_chars}.",
            hint="Shorten the query, or split it.",
        )
    depth = 0
    form = None
    limit = None
    expect_limit = False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if expect_limit:
            expect_limit = False
            if token.isdigit() and depth == 0:
                limit = int(token)
        if token in "{(" and len(token) == 1:
            depth += 1
            if depth > MAX_NESTING:
                raise QueryError(
                    f"The query nests groups or expressions deeper than {MAX_NESTING} levels "
                    f"(at character {match.start()}).",
                    hint="Flatten the query; deep nesting is refused before parsing.",
                )
        elif token in "})" and len(token) == 1:
            depth = max(depth - 1, 0)
        elif token.isalpha():
            word = token.upper()
            if word == "SERVICE":
                raise QueryError(
                    f"SERVICE (federated query) is refused at character {match.start()}: "
                    "this endpoint makes no outbound requests.",
                    hint="Query the other endpoint yourself and combine the results.",
                )
            if word in _UPDATES and form is None:
                raise QueryError(
                    f"{word} is an update operation; this endpoint is read-only.",
                    hint="Use `dipkg load` or `dipkg build` to change the data.",
                )
            if form is None and word in _FORMS:
                form = _FORMS[word]
            expect_limit = word == "LIMIT" and depth == 0
    if form is None:
        raise QueryError(
            "No query form found: a query starts (after PREFIX and BASE) with SELECT, ASK, "
            "CONSTRUCT or DESCRIBE."
        )
    return CheckedQuery(text, form, limit)
