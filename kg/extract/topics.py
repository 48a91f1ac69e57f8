"""Topics of pledges, demands and statements: keyword cues for each notation of the ``topic``
SKOS scheme. Only notations the vocabulary knows are returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FALLBACK_TOPIC = "bilateral_relations"

_CUES: dict[str, tuple[str, ...]] = {
    "narcotics": (r"fentanyl", r"narcotic", r"drugs?\b", r"opioid", r"precursor chemical"),
    "elections": (r"election", r"interfer", r"\bvot(?:e|ing|ers)\b", r"ballot"),
    "military_communication": (
        r"military[- ]to[- ]military",
        r"mil[- ]to[- ]mil",
        r"military (?:communication|dialogue|channels?|talks|contacts?|hotline)",
        r"defen[cs]e (?:talks|dialogue|communication|policy coordination)",
        r"theater commanders?",
    ),
    "climate": (r"climate", r"emission", r"carbon", r"global warming", r"methane", r"renewable"),
    "taiwan": (r"taiwan", r"reunification", r"one[- ]china", r"taipei", r"cross-strait"),
    "middle_east": (
        r"israel",
        r"hamas",
        r"gaza",
        r"\biran",
        r"middle east",
        r"red sea",
        r"houthi",
        r"lebanon",
        r"hezbollah",
    ),
    "ukraine_war": (
        r"ukrain",
        r"kyiv",
        r"invasion",
        r"war in ukraine",
        r"military support for russia",
        r"lethal aid",
        r"counteroffensive",
        r"ceasefire",
        r"peace plan",
        r"patriot",
        r"weapons? (?:to|for) (?:russia|ukraine)",
        r"sanctions? (?:on|against) russia",
    ),
    "trade": (
        r"\btrade",
        r"tariff",
        r"\bexports?\b",
        r"\bimports?\b",
        r"overcapacity",
        r"market access",
        r"access to (?:its|their|the|china's|chinese) markets?",
        r"\bbuy\b",
        r"purchas",
        r"soybean",
        r"investment",
        r"supply chain",
        r"sanction",
        r"economic",
    ),
    "technology": (
        r"semiconductor",
        r"\bchips?\b",
        r"technolog",
        r"\btech\b",
        r"5g",
        r"jet engine",
    ),
    "artificial_intelligence": (r"artificial intelligence", r"\bai\b"),
    "human_rights": (
        r"human rights",
        r"xinjiang",
        r"uyghur",
        r"uighur",
        r"tibet",
        r"hong kong",
        r"political prisoner",
        r"detained",
        r"wrongfully",
        r"jailed",
        r"imprisoned",
        r"dissident",
        r"opposition (?:leader|figure|politician)",
    ),
    "cybersecurity": (r"cyber", r"hack", r"critical infrastructure"),
    "south_china_sea": (r"south china sea", r"scarborough", r"second thomas shoal", r"spratly"),
    "north_korea": (
        r"north korea",
        r"pyongyang",
        r"denucleari[sz]",
        r"dprk",
        r"korean peninsula",
        r"\bkim\b",
    ),
    "strategic_coordination": (
        r"strategic coordination",
        r"strategic partnership",
        r"no limits",
        r"mutual (?:assistance|defen[cs]e)",
        r"military-technical",
        r"alliance",
    ),
    "bilateral_relations": (
        r"relation",
        r"relationship",
        r"\bties\b",
        r"communication",
        r"hotline",
        r"dialogue",
        r"ambassador",
        r"exchanges",
        r"cooperat",
        r"nuclear war",
        r"strategic stability",
    ),
}
_COMPILED = {topic: re.compile("|".join(cues), re.IGNORECASE) for topic, cues in _CUES.items()}


def find_topics(text: str, known: Iterable[str] | None = None) -> tuple[str, ...]:
    """Topics whose cues occur in the text, most specific first (bilateral relations last).

    >>> find_topics("curb the flow of fentanyl precursors into the United States")
    ('narcotics',)
    >>> find_topics("open a presidential hotline")
    ('bilateral_relations',)
    """
    allowed = set(known) if known is not None else set(_CUES)
    found = [t for t, pattern in _COMPILED.items() if t in allowed and pattern.search(text)]
    specific = [t for t in found if t != FALLBACK_TOPIC]
    if "military_communication" in specific and "bilateral_relations" in found:
        found.remove("bilateral_relations")
    if specific and FALLBACK_TOPIC in found:
        found.remove(FALLBACK_TOPIC)
    return tuple(found)


def dominant_topic(text: str, known: Iterable[str] | None = None) -> str | None:
    """The specific topic whose cues occur most often in a text (a document's main topic).

    >>> dominant_topic("Ukraine aid. The war in Ukraine. Taiwan.")
    'ukraine_war'
    """
    allowed = set(known) if known is not None else set(_CUES)
    counts = {
        topic: len(pattern.findall(text))
        for topic, pattern in _COMPILED.items()
        if topic in allowed and topic != FALLBACK_TOPIC
    }
    best = max(counts.items(), key=lambda item: item[1], default=(None, 0))
    return best[0] if best[1] >= 2 else None


def topics_or_fallback(texts: Iterable[str], known: Iterable[str] | None = None) -> tuple[str, ...]:
    """The topics of the first text that has any, else the fallback ``bilateral_relations``."""
    known = tuple(known) if known is not None else None
    for text in texts:
        found = find_topics(text, known)
        if found:
            return found
    if known is None or FALLBACK_TOPIC in known:
        return (FALLBACK_TOPIC,)
    return (sorted(known)[0],) if known else ()
