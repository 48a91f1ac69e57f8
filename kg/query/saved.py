"""Saved queries: ``queries/NAME.rq`` files with a ``#+`` YAML header, and parameter binding.

The files are grlc's (https://github.com/CLARIAH/grlc, 1.3): grlc serves the folder as it is,
and dipkg reads the same header and variables. The header keys:

- ``summary``, ``description``, ``tags``: grlc's, shown by both (``summary`` is the title);
- ``params`` (dipkg's): each parameter's ``kind`` (actor, concept, date, text, resource), its
  ``description``, a concept's ``scheme``, a date's ``bound`` (start or end of its period);
- ``enumerate`` and ``defaults``: grlc's lists of one-key mappings, ``- topic: [IRI, ...]``
  (a concept parameter's concepts) and ``- name: value``;
- ``row``, ``columns``, ``multi`` (dipkg's): what a row is, the projection, the ``; ``-joined
  columns; ``example``: the parameters of a typical call; ``pagination``: see below.

There is no ``endpoint`` key: the caller says where the graph is (grlc's ``endpoint``
parameter or configuration; dipkg's store setting).

A parameter is grlc's optional variable, typed as grlc substitutes it: ``?__name_iri`` for an
actor, concept or resource, ``?__name_xsd_date`` for a date, ``?__name`` for text. Unbound it
stands for any value, so the file runs as-is anywhere. Given, a term takes the variable's place:
grlc pastes the raw value (``<value>``, ``"value"^^xsd:date``, ``"value"``); dipkg binds the
value as an RDF term serialised by rdflib (``.n3()``) after validating it: an actor name resolved
through the registry in the store, a concept checked against its SKOS scheme, an ISO date, an
IRI parsed and re-serialised, or free text as an escaped literal. Values are never pasted. So a
query uses its variables only where a term is valid too (a triple pattern, an expression,
``BIND(?__name_iri AS ?x)``), and asks whether one is given on a copy, never on the variable:
``BIND(?__name_iri AS ?givenName)`` at the top of the group, then ``!BOUND(?givenName)``
(Oxigraph still drops before running what such a test rules out, as it did for a ``VALUES``
line). For an IRI, grlc's query is the query dipkg runs.

Paging (the ``pagination`` header key, named after grlc's): the query has one ``# PAGE``
comment line where the page's ``LIMIT``/``OFFSET`` goes, in the subquery that selects the
rows' keys in the result's order, so only one page of rows has its columns looked up. The file
still runs as-is anywhere (the whole result); ``page`` and ``pageSize`` are integers checked
here and written as digits, never pasted text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import InputError, QueryError, UnknownParameterError, UnknownQueryError
from kg.query.internal import internal_query
from kg.query.results import sort_multivalued
from kg.records import DateValue
from kg.sources.registry import NameIndex
from kg.store.base import Queryable, QueryResult
from kg.vocab import DIPC

HEADER_KEYS = {
    *("summary", "description", "tags", "row", "columns", "multi", "params"),
    *("enumerate", "defaults", "example", "pagination"),
}
# The suffix of each kind's variable: how grlc types the value it pastes.
PARAM_KINDS = {
    "actor": "_iri",
    "concept": "_iri",
    "date": "_xsd_date",
    "text": "",
    "resource": "_iri",
}
PARAM_KEYS = {"kind", "description", "scheme", "bound"}
MAX_TEXT = 500
PAGING = ("page", "pageSize")  # the parameters of a query with a ``pagination`` header
MAX_PAGE = 1_000_000  # the highest page number
MAX_PAGE_SIZE = 10_000  # when no row cap is given
_PAGE_MARKER = re.compile(r"^[ \t]*#[ \t]*PAGE[ \t]*$", re.M)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_NAME = re.compile(r"[A-Za-z0-9]+")  # grlc's parameter names
_GRLC_VARIABLE = re.compile(r"\?_{1,2}[A-Za-z0-9]\w*")  # grlc's parameters (?_x: a required one)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One query parameter, as declared in the header."""

    name: str
    kind: str
    description: str = ""
    scheme: str | None = None
    default: str | None = None
    bound: str = "start"
    enumerate: tuple[str, ...] = ()

    @property
    def variable(self) -> str:
        """The query variable that stands for this parameter: grlc's optional one, typed.

        >>> Parameter("from", "date").variable
        '?__from_xsd_date'
        """
        return f"?__{self.name}{PARAM_KINDS[self.kind]}"


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """One saved query: its header and its SPARQL text."""

    name: str
    title: str  # the header's ``summary``
    description: str
    row: str
    columns: tuple[str, ...]
    text: str
    multi: tuple[str, ...] = ()
    params: Mapping[str, Parameter] = field(default_factory=dict)
    example: Mapping[str, str] = field(default_factory=dict)
    page_size: int | None = None
    tags: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every parameter name the query takes, its paging parameters included."""
        return (*self.params, *(PAGING if self.page_size else ()))


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged query's rows (``number`` counts from 1)."""

    number: int
    size: int

    @property
    def clause(self) -> str:
        """The solution modifiers that select this page."""
        return f"LIMIT {self.size} OFFSET {(self.number - 1) * self.size}"

    def full(self, rows: int) -> bool:
        """Whether a page of ``rows`` rows may have a next one (it is full; the last page of
        a result can then be empty)."""
        return rows >= self.size


def load_queries(directory: Path) -> dict[str, SavedQuery]:
    """Every ``*.rq`` file of ``directory``, by name.

    Raises:
        InputError: a header is broken (naming file and line) or a parameter has no VALUES line.
    """
    if not directory.is_dir():
        raise InputError(f"{directory}: saved-query directory not found.")
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


def parse_query_file(path: Path) -> SavedQuery:
    """Parse one ``.rq`` file's header and check its parameters are bindable."""
    text = path.read_text(encoding="utf-8")
    header_lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#+"):
            if not line.startswith("#+ ") and line.strip() != "#+":
                raise InputError(f"{path}:{number}: header lines start with '#+ '.")
            header_lines.append(line[3:])
        elif line.strip():
            break
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.MarkedYAMLError as exc:
        line_no = (exc.problem_mark.line + 1) if exc.problem_mark else 1
        raise InputError(f"{path}:{line_no}: broken header: {exc.problem}.") from exc
    if not isinstance(header, dict):
        raise InputError(f"{path}:1: the header must be a YAML mapping.")
    unknown = sorted(set(header) - HEADER_KEYS)
    if unknown:
        raise InputError(
            f"{path}:{_line_of(text, unknown[0])}: unknown header key {unknown[0]!r}.",
            hint=f"Known keys: {', '.join(sorted(HEADER_KEYS))}.",
        )
    for key in ("summary", "description", "row", "columns"):
        if key not in header:
            raise InputError(f"{path}:1: header key {key!r} is missing.")
    specs = {str(name): spec for name, spec in (header.get("params") or {}).items()}
    defaults = _one_key_mappings(path, text, header, "defaults", specs)
    enumerations = _one_key_mappings(path, text, header, "enumerate", specs)
    params = {
        name: _parameter(path, text, name, spec, defaults.get(name), enumerations.get(name))
        for name, spec in specs.items()
    }
    _check_variables(path, text, params)
    page_size = _pagination(path, text, header.get("pagination"), params)
    return SavedQuery(
        name=path.stem,
        title=str(header["summary"]),
        description=str(header["description"]),
        row=str(header["row"]),
        columns=tuple(str(c) for c in header["columns"]),
        text=text,
        multi=tuple(str(c) for c in header.get("multi") or ()),
        params=params,
        example={str(k): str(v) for k, v in (header.get("example") or {}).items()},
        page_size=page_size,
        tags=tuple(str(t) for t in header.get("tags") or ()),
    )


def _one_key_mappings(
    path: Path, text: str, header: Mapping[str, object], key: str, params: Mapping[str, object]
) -> dict[str, object]:
    """grlc's ``defaults`` or ``enumerate``: a list of one-key mappings, each naming a
    parameter (grlc reads no other shape)."""
    entries = header.get(key) or []
    where = f"{path}:{_line_of(text, key)}"
    if not isinstance(entries, list):
        raise InputError(f"{where}: {key} must be a list like '- name: value'.")
    found: dict[str, object] = {}
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise InputError(f"{where}: each {key} entry is one mapping, like '- name: value'.")
        ((name, value),) = entry.items()
        if str(name) not in params:
            raise InputError(f"{where}: {key} names {name!r}, which is no parameter.")
        found[str(name)] = value
    return found


def _check_variables(path: Path, text: str, params: Mapping[str, Parameter]) -> None:
    """Every parameter's variable is in the query, and no other variable grlc would read as a
    parameter (anywhere in the file: grlc reads the header lines too)."""
    for param in params.values():
        if not re.search(rf"{re.escape(param.variable)}(?!\w)", _body(text)):
            raise InputError(
                f"{path}:{_line_of(text, param.name)}: parameter {param.name!r} has no "
                f"{param.variable} in the query."
            )
    variables = {p.variable for p in params.values()}
    for number, line in enumerate(text.splitlines(), start=1):
        for variable in _GRLC_VARIABLE.findall(line):
            if variable not in variables:
                raise InputError(
                    f"{path}:{number}: {variable} is no declared parameter's variable "
                    "(grlc reads ?_name and ?__name as parameters).",
                    hint="Declare it under params, or rename it without the leading '_'.",
                )


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+"))


def _pagination(path: Path, text: str, size: object, params: Mapping[str, Parameter]) -> int | None:
    """The default page size, checked against the query's one ``# PAGE`` line (where the
    page's ``LIMIT``/``OFFSET`` goes: in the subquery that selects the rows' keys, so that
    only one page of rows gets its columns looked up)."""
    markers = len(_PAGE_MARKER.findall(text))
    if size is None:
        if markers:
            raise InputError(f"{path}: a '# PAGE' line but no 'pagination' header key.")
        return None
    where = f"{path}:{_line_of(text, 'pagination')}"
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
        raise InputError(f"{where}: pagination must be a page size from 1 to {MAX_PAGE_SIZE}.")
    if markers != 1:
        raise InputError(
            f"{where}: a paged query needs exactly one '# PAGE' line (it has {markers}).",
            hint="Put it after the ORDER BY of the subquery that selects the rows.",
        )
    clash = sorted(set(PAGING) & set(params))
    if clash:
        raise InputError(f"{where}: parameter {clash[0]!r} is reserved for paging.")
    return size


def _parameter(
    path: Path, text: str, name: str, spec: object, default: object, values: object
) -> Parameter:
    where = f"{path}:{_line_of(text, name)}"
    if not _NAME.fullmatch(name):
        raise InputError(f"{where}: parameter {name!r}: grlc's names are letters and digits.")
    if not isinstance(spec, dict):
        raise InputError(f"{where}: parameter {name!r} must be a mapping like {{kind: actor}}.")
    unknown = sorted(set(spec) - PARAM_KEYS)
    if unknown:
        raise InputError(f"{where}: parameter {name!r} has unknown key {unknown[0]!r}.")
    kind = str(spec.get("kind", ""))
    if kind not in PARAM_KINDS:
        raise InputError(
            f"{where}: parameter {name!r} has kind {kind!r}.",
            hint=f"Kinds: {', '.join(sorted(PARAM_KINDS))}.",
        )
    if kind == "concept" and not spec.get("scheme"):
        raise InputError(f"{where}: concept parameter {name!r} needs a scheme.")
    if values is not None and (kind != "concept" or not isinstance(values, list)):
        raise InputError(f"{where}: enumerate lists a concept parameter's concept IRIs.")
    return Parameter(
        name=name,
        kind=kind,
        description=str(spec.get("description", "")),
        scheme=spec.get("scheme"),
        default=None if default is None else str(default),
        bound=str(spec.get("bound", "start")),
        enumerate=tuple(str(v) for v in values or ()),
    )


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#+") and needle in line:
            return number
    return 1


class TermResolver:
    """Turns parameter values into RDF terms, looking names and concepts up in the store.

    The lookups are cached; a name the cached actor index lacks rebuilds it (at most every
    ``REFRESH`` seconds), so actors an ingest added become nameable without a restart.
    """

    REFRESH = 10.0

    def __init__(self, store: Queryable, base: str) -> None:
        self.store = store
        self.base = base
        self._actors: NameIndex | None = None
        self._actors_built = 0.0
        self._schemes: dict[str, dict[str, URIRef]] = {}

    def actor_index(self) -> NameIndex:
        if self._actors is None:
            index = NameIndex()
            rows = self.store.query(internal_query("actor-names")).rows
            for actor, name in rows:
                index.add(str(name), str(actor))
            for actor, _ in rows:
                index.add(str(actor).rsplit("/", 1)[-1], str(actor))
            self._actors = index
            self._actors_built = time.monotonic()
        return self._actors

    def find_actor(self, name: str) -> str | None:
        """The IRI of the actor with this name, IRI tail or alias, if any."""
        found = self.actor_index().find(name)
        if found is None and time.monotonic() - self._actors_built > self.REFRESH:
            self._actors = None
            found = self.actor_index().find(name)
        return found

    def notations(self, scheme: str) -> dict[str, URIRef]:
        """Notation -> concept IRI for one SKOS scheme in the store."""
        if scheme not in self._schemes:
            query = internal_query("concept-notations", scheme=URIRef(DIPC[scheme]))
            rows = self.store.query(query).rows
            self._schemes[scheme] = {str(n): URIRef(str(c)) for c, n in rows}
        return self._schemes[scheme]

    def term(self, param: Parameter, value: str) -> URIRef | Literal:
        """The RDF term for one parameter value.

        Raises:
            QueryError: the value is ill-typed or unknown (``parameter`` names it).
        """
        if len(value) > MAX_TEXT:
            raise _bad(param, f"is longer than {MAX_TEXT} characters.")
        if param.kind == "actor":
            if _IRI.match(value) and value.startswith(("http://", "https://")):
                return URIRef(value)
            found = self.find_actor(value)
            if found is None:
                raise _bad(
                    param,
                    f"{value!r} names no actor in the registry.",
                    "Use a name like 'Xi', 'Biden', 'China', or an actor IRI.",
                )
            return URIRef(found)
        if param.kind == "concept":
            known = self.notations(param.scheme or "")
            if value in known:
                return known[value]
            if URIRef(value) in known.values():  # an rdflib term never equals a str
                return URIRef(value)
            raise _bad(
                param,
                f"{value!r} is not in the {param.scheme} scheme.",
                f"Allowed values: {', '.join(sorted(known))}.",
            )
        if param.kind == "date":
            try:
                date = DateValue.parse_edtf(value)
            except ValueError as exc:
                raise _bad(
                    param, f"{exc}.", "Write 2024-04-02, 2024-04 or 2024, or EDTF: 2024-21."
                ) from exc
            day = date.latest if param.bound == "end" else date.earliest
            return Literal(day.isoformat(), datatype=XSD.date)
        if param.kind == "resource":
            iri = value if "://" in value else self.base + value.lstrip("/")
            if not _IRI.match(iri):
                raise _bad(param, f"{value!r} is not a valid IRI.")
            return URIRef(iri)
        if "\x00" in value:
            raise _bad(param, "contains a NUL character.")
        return Literal(value)


def _bad(param: Parameter, problem: str, hint: str | None = None) -> QueryError:
    return QueryError(f"Parameter {param.name!r} {problem}", hint=hint, parameter=param.name)


def page_of(
    query: SavedQuery, params: Mapping[str, str], max_rows: int | None = None
) -> Page | None:
    """The page the ``page`` and ``pageSize`` parameters ask for (page 1 of the query's
    default size when not given, at most ``max_rows`` rows); None for an unpaged query.

    Raises:
        QueryError: a value that is not a whole number in range.
    """
    if not query.page_size:
        return None
    limit = max_rows or MAX_PAGE_SIZE
    number = _whole(params.get("page"), "page", 1, MAX_PAGE)
    size = _whole(params.get("pageSize"), "pageSize", min(query.page_size, limit), limit)
    return Page(number, size)


def _whole(value: str | None, name: str, default: int, highest: int) -> int:
    if value is None or value == "":
        return default
    if not re.fullmatch(r"[0-9]{1,7}", value) or not 1 <= int(value) <= highest:
        raise QueryError(
            f"Parameter {name!r} must be a whole number from 1 to {highest}, not {value[:40]!r}.",
            parameter=name,
        )
    return int(value)


def bind(
    query: SavedQuery,
    params: Mapping[str, str],
    resolver: TermResolver,
    max_rows: int | None = None,
) -> str:
    """The query text with each given parameter's variable replaced by its RDF term, and a
    paged query's ``# PAGE`` line by the page's ``LIMIT``/``OFFSET`` (see :func:`page_of`).

    Raises:
        QueryError: an unknown parameter, or a value that is ill-typed or unknown.
    """
    unknown = sorted(set(params) - set(query.accepted))
    if unknown:
        known = ", ".join(query.accepted) or "none"
        raise UnknownParameterError(
            f"Saved query {query.name!r} has no parameter {unknown[0]!r}; known: {known}.",
            parameter=unknown[0],
        )
    text = query.text
    for name, param in query.params.items():
        value = params.get(name, param.default)
        if value is None or value == "":
            continue
        term = resolver.term(param, value).n3()
        pattern = re.compile(rf"{re.escape(param.variable)}(?!\w)")
        text = pattern.sub(lambda _, t=term: t, text)  # type: ignore[misc]
    page = page_of(query, params, max_rows)
    if page:
        text = _PAGE_MARKER.sub(page.clause, text)
    return text


def run_saved_query(
    store: Queryable,
    query: SavedQuery,
    params: Mapping[str, str],
    resolver: TermResolver,
    max_rows: int | None = None,
) -> QueryResult:
    """Bind and run a saved query, with multi-valued cells sorted.

    Raises:
        QueryError: see :func:`bind`.
    """
    text = bind(query, params, resolver, max_rows)
    result = store.query(text, max_rows=max_rows)
    return sort_multivalued(result, query.multi)


def get_query(queries: Mapping[str, SavedQuery], name: str) -> SavedQuery:
    """The saved query called ``name``.

    Raises:
        UnknownQueryError: there is none (the message lists the known names).
    """
    if name not in queries:
        raise UnknownQueryError(
            f"No saved query named {name!r}.", hint=f"Known: {', '.join(sorted(queries))}."
        )
    return queries[name]
