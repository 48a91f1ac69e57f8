"""The actor registry: people, states, organisations, offices, anonymous sources and places.

Loaded from ``registry.yaml`` (format: docs/model.md). Resolves names as people write them
("Xi", "President Xi", "Beijing" as a metonym for China) and offices to their holder at a date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import InitVar, dataclass, field
from pathlib import Path

from kg.errors import InputError, UnknownActorError
from kg.records import Actor, DateValue, OfficeTerm, Place
from kg.sources.yamlfile import Fields, load_yaml

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_TITLES = (
    "the",
    "president",
    "vice president",
    "secretary",
    "speaker",
    "premier",
    "prime minister",
    "foreign minister",
    "minister",
    "chancellor",
    "mr",
    "mrs",
    "ms",
    "dr",
)
_SECTIONS = {
    "states": "state",
    "organisations": "organisation",
    "people": "person",
    "offices": "office",
    "anonymous": "anonymous",
}


def normalize_name(text: str) -> str:
    """Fold a name for matching: case, accents, curly quotes, dots and spacing.

    >>> normalize_name("  U.S.  President’s ")
    "us president's"
    """
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace(".", "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _strip_title(name: str) -> str | None:
    for title in _TITLES:
        if name.startswith(title + " "):
            return name[len(title) + 1 :]
    return None


class NameIndex:
    """Names as people write them -> ids; leading titles are dropped one at a time.

    >>> index = NameIndex()
    >>> index.add("Xi Jinping", "xi-jinping")
    >>> index.add("Xi", "xi-jinping")
    >>> index.find("President Xi")
    'xi-jinping'
    """

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def copy(self) -> NameIndex:
        """An index with the same names, to add to without changing this one."""
        index = NameIndex()
        index._ids = dict(self._ids)
        return index

    def add(self, name: str, identifier: str) -> None:
        """Index one name; the first id given for a name keeps it."""
        self._ids.setdefault(normalize_name(name), identifier)

    def find(self, name: str) -> str | None:
        """The id a name denotes, or None."""
        key: str | None = normalize_name(name)
        while key:
            if key in self._ids:
                return self._ids[key]
            key = _strip_title(key)
        return None


@dataclass(frozen=True)
class Registry:
    """Actors and places by id, with a name index for resolution."""

    actors: dict[str, Actor]
    places: dict[str, Place]
    _names: NameIndex = field(default_factory=NameIndex, repr=False)
    _place_names: NameIndex = field(default_factory=NameIndex, repr=False)

    new: InitVar[tuple[Iterable[Actor], Iterable[Place]] | None] = None

    def __post_init__(self, new: tuple[Iterable[Actor], Iterable[Place]] | None) -> None:
        """Index the names of every entry, or with ``new`` (given to indexes copied from the
        registry this one extends) of those entries only."""
        actors, places = new if new is not None else (self.actors.values(), self.places.values())
        for actor in actors:
            for name in (actor.id, actor.label, *actor.aliases, *actor.metonyms):
                self._names.add(name, actor.id)
        for place in places:
            for name in (place.id, place.label, *place.aliases):
                self._place_names.add(name, place.id)

    def extended(self, actors: Iterable[Actor] = (), places: Iterable[Place] = ()) -> Registry:
        """This registry plus more actors and places (an id it has already keeps its entry),
        for instance the provisional ones an extraction or a coding introduces. Only the new
        entries' names are indexed (this registry's index is copied): an ingest extends the
        registry once per document.

        >>> reg = Registry({"xi": Actor("xi", "Xi Jinping", "person")}, {})
        >>> more = reg.extended([Actor("li", "Li Qiang", "person"), Actor("xi", "X", "person")])
        >>> more.find_actor("Li Qiang").id, more.find_actor("Xi Jinping").label
        ('li', 'Xi Jinping')
        >>> reg.find_actor("Li Qiang") is None
        True
        """
        all_actors, all_places = dict(self.actors), dict(self.places)
        new_actors = [all_actors.setdefault(a.id, a) for a in actors if a.id not in all_actors]
        new_places = [all_places.setdefault(p.id, p) for p in places if p.id not in all_places]
        if not new_actors and not new_places:
            return self
        names, place_names = self._names.copy(), self._place_names.copy()
        return Registry(all_actors, all_places, names, place_names, (new_actors, new_places))

    def find_actor(self, name: str) -> Actor | None:
        """The actor a name denotes, or None; leading titles are dropped one at a time.

        >>> reg = Registry({"xi": Actor("xi", "Xi Jinping", "person", aliases=("Xi",))}, {})
        >>> reg.find_actor("President Xi").label
        'Xi Jinping'
        """
        found = self._names.find(name)
        return None if found is None else self.actors[found]

    def resolve_actor(self, name: str, when: DateValue | None = None) -> Actor:
        """The actor a name denotes; an office resolves to its holder at ``when`` if known.

        Raises:
            UnknownActorError: the registry knows no such name.
        """
        actor = self.find_actor(name)
        if actor is None:
            raise UnknownActorError(
                f"{name!r} is not in the actor registry.",
                hint="Use a registry id, label or alias, or add the actor to registry.yaml.",
            )
        if actor.kind == "office":
            holder = self.office_holder(actor.id, when)
            return holder or actor
        return actor

    def office_holder(self, office_id: str, when: DateValue | None) -> Actor | None:
        """The one person the registry says held the office at ``when``, else None."""
        if when is None:
            return None
        holders = [
            a
            for a in self.actors.values()
            if any(t.office == office_id and t.covers(when) for t in a.terms)
        ]
        return holders[0] if len(holders) == 1 else None

    def office_at(self, person_id: str, when: DateValue | None) -> str | None:
        """The office a person held at ``when`` if exactly one term covers it."""
        person = self.actors.get(person_id)
        if person is None or when is None:
            return None
        terms = [t.office for t in person.terms if t.covers(when)]
        return terms[0] if len(terms) == 1 else None

    def represented_by(self, actor_id: str, office_id: str | None) -> str | None:
        """The state or organisation an actor stands for: its office's, else its country."""
        if office_id and self.actors[office_id].office_of:
            return self.actors[office_id].office_of
        actor = self.actors[actor_id]
        if actor.kind in ("state", "organisation") and actor.country is None:
            return None
        return actor.office_of or actor.country

    def resolve_place(self, name: str) -> Place:
        """The place a name denotes.

        Raises:
            InputError: the registry knows no such place.
        """
        found = self._place_names.find(name)
        if found is None:
            raise InputError(
                f"{name!r} is not a place in the registry.",
                hint="Use a place id, label or alias from registry.yaml, or add the place.",
            )
        return self.places[found]

    def place_ancestors(self, place_id: str) -> list[str]:
        """The chain of larger places, nearest first (none for a place the registry lacks,
        such as a provisional place extraction introduced)."""
        chain: list[str] = []
        place = self.places.get(place_id)
        parent = place.parent if place is not None else None
        while parent is not None and parent not in chain and parent in self.places:
            chain.append(parent)
            parent = self.places[parent].parent
        return chain


def load_registry(path: Path, extra: tuple[Path, ...] = ()) -> Registry:
    """Read ``registry.yaml`` into a Registry, checking ids, references and dates.

    ``extra`` files (same format) add entries, for instance the actors a development set
    needs beyond the corpus registry; references may cross files, ids must stay unique.

    Raises:
        InputError: naming the file, entry and field that is wrong.
    """
    actors: dict[str, Actor] = {}
    places: dict[str, Place] = {}
    for source in (path, *extra):
        data = load_yaml(source)
        read_entries(Fields(data if data is not None else {}, str(source), ""), actors, places)
    check_references(path, actors, places)
    return Registry(actors, places)


REGISTRY_SECTIONS = (*_SECTIONS, "places")
"""The sections of a registry file (and of a coding's ``provisional`` entries)."""


def read_entries(
    root: Fields,
    actors: dict[str, Actor],
    places: dict[str, Place],
    *,
    provisional: bool = False,
) -> None:
    """Add the actors and places of one mapping in the registry format to ``actors`` and
    ``places`` (marked provisional if asked); references are checked by
    :func:`check_references` once every entry is in.

    Raises:
        InputError: an unknown section or key, a malformed field, or an id used twice.
    """
    root.check_keys(set(REGISTRY_SECTIONS))
    for section, kind in _SECTIONS.items():
        for item in root.items(section):
            actor = _read_actor(item, kind, provisional)
            if actor.id in actors:
                raise item.error("id", f"{actor.id!r} is used twice.")
            actors[actor.id] = actor
    for item in root.items("places"):
        item.check_keys({"id", "label", "in", "aliases", "wikidata"})
        place = Place(
            id=_read_id(item),
            label=item.text("label", required=True) or "",
            parent=item.text("in"),
            aliases=item.texts("aliases"),
            wikidata=_read_wikidata(item),
        )
        if place.id in places:
            raise item.error("id", f"{place.id!r} is used twice.")
        places[place.id] = place


def read_provisional(
    section: Fields, registry: Registry
) -> tuple[Registry, tuple[Actor, ...], tuple[Place, ...]]:
    """A coding's provisional actors and places (registry format, for names the registry
    lacks): the registry extended with them, and the new entries sorted by id.

    Raises:
        InputError: a malformed entry, a broken reference, or an id the registry has (a
            curator added it meanwhile: the provisional entry must go).
    """
    actors: dict[str, Actor] = {}
    places: dict[str, Place] = {}
    read_entries(section, actors, places, provisional=True)
    clashes = sorted(
        actors.keys() & registry.actors.keys() | places.keys() & registry.places.keys()
    )
    if clashes:
        raise section.error(
            clashes[0],
            f"{clashes[0]!r} is in the registry now.",
            hint="Delete this provisional entry: the facts then name the registry's.",
        )
    check_references(
        f"{section.file}: provisional",
        {**registry.actors, **actors},
        {**registry.places, **places},
    )
    return (
        registry.extended(actors.values(), places.values()),
        tuple(actors[k] for k in sorted(actors)),
        tuple(places[k] for k in sorted(places)),
    )


def _read_id(item: Fields) -> str:
    value = item.text("id", required=True) or ""
    if not _ID.match(value):
        raise item.error("id", f"{value!r} must be lowercase letters, digits and '-'.")
    return value


def _read_wikidata(item: Fields) -> str | None:
    value = item.text("wikidata")
    if value is not None and not _WIKIDATA.match(value):
        raise item.error("wikidata", f"{value!r} is not a Wikidata item id like Q30.")
    return value


def _read_date(item: Fields, key: str) -> DateValue | None:
    value = item.text(key)
    if value is None:
        return None
    try:
        return DateValue.parse(value)
    except ValueError as exc:
        raise item.error(key, f"{exc}.") from exc


def _read_actor(item: Fields, kind: str, provisional: bool = False) -> Actor:
    item.check_keys({"id", "label", "aliases", "metonyms", "wikidata", "country", "of", "offices"})
    terms = []
    for term in item.items("offices"):
        term.check_keys({"office", "from", "to"})
        terms.append(
            OfficeTerm(
                office=term.text("office", required=True) or "",
                start=_read_date(term, "from"),
                end=_read_date(term, "to"),
            )
        )
    return Actor(
        id=_read_id(item),
        label=item.text("label", required=True) or "",
        kind=kind,
        aliases=item.texts("aliases"),
        metonyms=item.texts("metonyms"),
        wikidata=_read_wikidata(item),
        country=item.text("country"),
        office_of=item.text("of"),
        terms=tuple(terms),
        is_provisional=provisional,
    )


def check_references(path: Path | str, actors: dict[str, Actor], places: dict[str, Place]) -> None:
    """Every country, ``of``, office and ``in`` reference names an entry.

    Raises:
        InputError: naming ``path``, the entry and the field.
    """

    def fail(where: str, problem: str) -> InputError:
        return InputError(
            f"{path}: {where}: {problem}", hint="Add the missing entry or fix the id."
        )

    for actor in actors.values():
        for ref, label in ((actor.country, "country"), (actor.office_of, "of")):
            if ref is not None and ref not in actors:
                raise fail(f"{actor.id}.{label}", f"{ref!r} is not an actor id in the registry.")
        for term in actor.terms:
            if actors.get(term.office) is None or actors[term.office].kind != "office":
                raise fail(f"{actor.id}.offices", f"{term.office!r} is not an office id.")
    for place in places.values():
        if place.parent is not None and place.parent not in places:
            raise fail(f"{place.id}.in", f"{place.parent!r} is not a place id in the registry.")
