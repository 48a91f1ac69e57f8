"""The query gate: checks on the raw text of a SPARQL query before any engine sees it.

Engines crash on deep nesting and make outbound requests for SERVICE, so both are refused on
the text, read with the SPARQL 1.1 grammar's own terminals (Query 19.8: IRIREF, PNAME_NS,
PNAME_LN, BLANK_NODE_LABEL, VAR1/VAR2, LANGTAG, numbers, the four string forms, comments that
end at a carriage return or a line feed). Updates are refused: the endpoint is read-only.

One lexical ambiguity of the grammar cannot be settled without the parser: ``<`` starts an
IRI in a triple pattern and is the less-than operator in an expression, so ``FILTER(1<2)
SERVICE#>`` is an IRI ``<2)SERVICE#>`` to one reader and code plus a comment to another. The
gate follows *both* readings wherever both are possible and refuses what any reading shows,
so a check can only be stricter than the engine's parser, never looser. Two more readings
are added to be safe with engines that parse keywords without a word boundary (Oxigraph
reads ``SERVICE:x`` and ``SERVICESILENT`` as SERVICE): a name that starts with ``SERVICE``,
or has it after a ``.``, is refused; and the text is checked again after the codepoint
escapes of Query 19.2 (``\\u0053ERVICE``), which a conforming parser applies first.

The network is closed at the OS level as well (:mod:`kg.sandbox`); this gate is what gives
the caller a clear 400 instead of a failed query. See SECURITY.md of the project brief.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import QueryError

MAX_QUERY_CHARS = 100_000
MAX_NESTING = 40
MAX_OPERATORS = 1_000
"""Most operators and pattern combinators (UNION, OPTIONAL, MINUS, ``||``, ``+``, ...) in
one query: long chains of them are parsed recursively, and a remote Oxigraph server's
threads overflow their stack at about 1,600 UNIONs."""

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_ECHAR = r"\\[tbnrf\\\"']"
_WS = "[ \t\r\n]"

# Terminals in the order the grammar's longest match needs (long strings before short ones,
# prefixed names before keywords, NIL and ANON before the bare brackets).
_TERMINALS: list[tuple[str, str]] = [
    ("comment", r"#[^\r\n]*"),
    ("string", f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*'''"),
    ("string", f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*"""'),
    ("string", f"'(?:[^'\\\\\\n\\r]|{_ECHAR})*'"),
    ("string", f'"(?:[^"\\\\\\n\\r]|{_ECHAR})*"'),
    ("var", f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("bnode", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("pname", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("number", r"[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?"),
    ("word", r"[A-Za-z_]+"),
    ("nil", f"\\({_WS}*\\)"),
    ("anon", f"\\[{_WS}*\\]"),
    ("open", r"<<|[{(\[]"),
    ("close", r">>|[})\]]"),
    ("operator", r"\|\||&&|!=|<=|>=|\^\^|[|&!=<>+\-*/^]"),
    ("other", r"."),
]
_LEXER = re.compile(
    f"{_WS}*(?:" + "|".join(f"(?P<t{i}>{p})" for i, (_, p) in enumerate(_TERMINALS)) + r"|\Z)", re.S
)
_KINDS = [kind for kind, _ in _TERMINALS]
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"(?:^|\.)SERVICE", re.I)
_COMBINATORS = {"UNION", "OPTIONAL", "MINUS"}
_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True, slots=True)
class Token:
    """One terminal of a reading of the query: its kind, text and start offset."""

    kind: str
    text: str
    start: int


@dataclass(frozen=True, slots=True)
class CheckedQuery:
    """A query that passed the gate, and its form (select, ask, construct, describe)."""

    text: str
    form: str
    limit: int | None = None
    """The query's top-level LIMIT when the query has one reading (then it can return no
    more rows); None otherwise."""


def lex(text: str, position: int) -> Token:
    """The grammar's terminal at ``position``, after any white space (``<`` as an
    operator, never an IRI: see :func:`readings`); kind ``end`` at the end of the text.

    >>> lex("rdf:type?o", 0)
    Token(kind='pname', text='rdf:type', start=0)
    """
    match = _LEXER.match(text, position)
    assert match is not None  # "other" matches any character, "end" the end
    name = match.lastgroup
    if name is None:
        return Token("end", "", match.end())
    return Token(_KINDS[int(name[1:])], match.group(name), match.start(name))


_OPERANDS = {"var", "string", "number", "langtag", "iri", "pname", "bnode", "nil", "anon", "close"}
_MAX_STATES = 256


def readings(text: str) -> Iterator[tuple[Token, tuple[str, ...], bool]]:
    """Every token of every reading of ``text`` in order of position, with the groups open
    before it (``{``, ``(``, ``[``, ``<<``) and whether the text had to be read two ways.

    ``<`` is read both as an IRI and as an operator where both can be: inside parentheses
    (the only place the grammar has operators) and after an operand. Readings that reach the
    same position in the same state are followed once.

    Raises:
        QueryError: so many readings at once that the text is refused as ambiguous.
    """
    states: dict[int, set[tuple[tuple[str, ...], bool]]] = {0: {((), False)}}
    pending = [0]
    branched = False
    while pending:
        position = heapq.heappop(pending)
        here = states.pop(position)
        if len(here) > _MAX_STATES:
            raise QueryError(
                f"The query can be read in too many ways at character {position}.",
                hint="Put spaces around '<' where it compares two values.",
            )
        for stack, after_operand in here:
            while True:  # one reading, straight on until it ends or can be read two ways
                token = lex(text, position)
                if token.kind == "end":
                    break
                choices = [token]
                if token.text[0] == "<":
                    iri = _IRIREF.match(text, token.start)
                    if iri:
                        iri_token = Token("iri", iri.group(0), token.start)
                        if "(" in stack and after_operand:
                            choices.append(iri_token)  # an operator here, or an IRI
                            branched = True
                        else:
                            choices = [iri_token]
                for choice in choices:
                    yield choice, stack, branched
                successors = [_advance(choice, stack) for choice in choices]
                if len(successors) == 1:
                    ((position, stack, after_operand),) = successors
                    continue
                for end, next_stack, operand in successors:
                    if end not in states:
                        states[end] = set()
                        heapq.heappush(pending, end)
                    states[end].add((next_stack, operand))
                break


def _advance(token: Token, stack: tuple[str, ...]) -> tuple[int, tuple[str, ...], bool]:
    """Where a reading is after ``token``: position, open groups, after an operand."""
    if token.kind == "open":
        stack = (*stack, token.text)
    elif token.kind == "close":
        stack = stack[:-1]
    operand = token.kind in _OPERANDS or (
        token.kind == "word" and token.text.upper() in ("TRUE", "FALSE")
    )
    return token.start + len(token.text), stack, operand


def check_query(text: str, *, max_chars: int = MAX_QUERY_CHARS) -> CheckedQuery:
    """Refuse what must never reach an engine; return the query's form.

    >>> check_query("PREFIX s: <http://x/> SELECT * WHERE { ?s ?p 'SERVICE' }").form
    'select'

    Raises:
        QueryError: too long, nested too deeply, SERVICE, an update, too many operators,
            or no query form.
    """
    if len(text) > max_chars:
        raise QueryError(
            f"The query is {len(text)} characters long; the limit is {max_chars}.",
            hint="Shorten the query, or split it.",
        )
    checked = _check(text)
    unescaped = _CODEPOINT.sub(_codepoint, text)
    if unescaped != text:
        _check(unescaped)  # what a parser that applies Query 19.2 first would read
    return checked


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else match.group(0)


def _check(text: str) -> CheckedQuery:
    form = None
    limits: set[int | None] = set()
    operators = 0
    previous = ""
    branched = False
    for token, stack, ambiguous in readings(text):
        branched = ambiguous
        if token.kind == "open" and len(stack) + 1 > MAX_NESTING:
            raise QueryError(
                f"The query nests groups or expressions deeper than {MAX_NESTING} levels "
                f"(at character {token.start}).",
                hint="Flatten the query; deep nesting is refused before parsing.",
            )
        if token.kind in ("word", "pname", "bnode") and _SERVICE.search(token.text):
            raise QueryError(
                f"SERVICE (federated query) is refused at character {token.start}: "
                "this endpoint makes no outbound requests.",
                hint="Query the other endpoint yourself and combine the results "
                "(a prefix whose name starts with 'service' is refused too: rename it).",
            )
        word = token.text.upper() if token.kind == "word" else ""
        if token.kind == "operator" or word in _COMBINATORS:
            operators += 1
            if operators > MAX_OPERATORS:
                raise QueryError(
                    f"The query has more than {MAX_OPERATORS} operators and UNION, OPTIONAL "
                    f"or MINUS combinations (at character {token.start}).",
                    hint="Split the query, or use VALUES for long lists of alternatives.",
                )
        if word in _UPDATES and form is None:
            raise QueryError(
                f"{word} is an update operation; this endpoint is read-only.",
                hint="Use `dipkg load` or `dipkg build` to change the data.",
            )
        if form is None and word in _FORMS:
            form = _FORMS[word]
        if previous == "LIMIT" and not stack and token.kind != "comment":
            limits.add(int(token.text) if token.kind == "number" and token.text.isdigit() else None)
        if token.kind != "comment":
            previous = word
    if form is None:
        raise QueryError(
            "No query form found: a query starts (after PREFIX and BASE) with SELECT, ASK, "
            "CONSTRUCT or DESCRIBE."
        )
    limit = next(iter(limits)) if len(limits) == 1 and not branched else None
    return CheckedQuery(text, form, limit)
