"""No document stops extraction, whatever its text (issue 14): arbitrary text never raises,
adversarial texts end within the time limit, and the limit itself stops the work, in the main
thread and in any other (the checks in the extraction loops and between parse steps)."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import ExtractionError, ExtractionTimeoutError
from kg.extract import Extraction, Extractor
from kg.extract.syntax import parse
from kg.records import DateValue, Document
from kg.sources.registry import Registry

LIMIT = 30.0  # the default extract_timeout
GRACE = (
    20.0  # a busy machine: the deadline acts between spaCy components on 50,000-character pieces
)


def document(text: str) -> Document:
    return Document(id="doc", text=text, title="", published=DateValue.parse("2024-04-02"))


# Words that reach the families' rules, in any order, with the characters that break parsers.
WORDS = [
    "Biden", "Xi", "Putin", "China", "Beijing", "they", "their", "leaders", "sides", "the",
    "two", "his", "US", "counterpart", "met", "pledged", "urged", "said", "will", "visit",
    "and", "to", "in", "on", "Tuesday", "March", "2024", "“", "”", '"', ",", ".", "\n",
    "Москва", "قال", "习近平", "—", "(", ")",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join),
)


@settings(
    max_examples=30,
    deadline=None,  # the bound below is ours, generous for a busy machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=texts)
def test_arbitrary_text_never_raises(extractor: Extractor, text: str) -> None:
    start = time.monotonic()
    extraction = extractor.extract(document(text))
    assert extraction.coding.document.text == text
    assert time.monotonic() - start < LIMIT


def test_the_limit_stops_the_work_in_the_main_thread(
    registry: Registry, vocabulary: dict[str, frozenset[str]]
) -> None:
    limited = Extractor(registry, vocabulary, timeout=0.2)
    limited.extract(document("Biden met Xi."))  # the model loads outside the limit
    start = time.monotonic()
    with pytest.raises(ExtractionTimeoutError, match=r"^extraction failed: took longer than 0.2 s"):
        limited.extract(document("Biden met Xi in Beijing and they talked. " * 800))
    assert time.monotonic() - start < 0.2 + GRACE


def test_the_limit_stops_the_work_in_another_thread(
    registry: Registry, vocabulary: dict[str, frozenset[str]]
) -> None:
    """A server's request thread has no signals: the loops' checks stop it."""
    limited = Extractor(registry, vocabulary, timeout=0.2)
    limited.extract(document("Biden met Xi."))
    raised: list[BaseException] = []

    def run() -> None:
        try:
            limited.extract(document("Biden met Xi in Beijing and they talked. " * 800))
        except BaseException as exc:  # the test reads it in the main thread
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(LIMIT + GRACE)
    assert not thread.is_alive()
    assert [type(e) for e in raised] == [ExtractionTimeoutError]


def test_no_limit_when_none_or_zero(
    registry: Registry, vocabulary: dict[str, frozenset[str]]
) -> None:
    for timeout in (None, 0):
        assert Extractor(registry, vocabulary, timeout).extract(document("Biden met Xi.")).coding


ADVERSARIAL = {
    "5000-word-sentence": " ".join(["the", "minister", "said", "that"] * 1250),
    "2000-names-and": " and ".join(f"Name{i}" for i in range(2000)) + " met.",
    "2000-leaders-and": " and ".join(["Biden", "Xi", "their leaders"] * 667) + " met.",
    "unbalanced-quotes": ("“Biden said " * 500) + ('"' * 301) + (" Xi said ”" * 300),
    "no-sentence-ends": " ".join(["Biden met Xi and they pledged to visit China"] * 600),
    "mixed-scripts": "Biden встретился с 习近平 في جنيف and Путин 会谈 قال " * 400,
    "1mb-one-word": "word " * 200_000,
    "1mb-one-token": "a" * 1_000_000,
}


@pytest.mark.slow
@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_text_ends_within_the_limit(
    registry: Registry, vocabulary: dict[str, frozenset[str]], text: str
) -> None:
    limited = Extractor(registry, vocabulary, timeout=LIMIT)
    start = time.monotonic()
    try:
        result: Extraction | ExtractionError = limited.extract(document(text))
    except ExtractionError as exc:  # a rejection is a fine end; any other exception fails
        result = exc
    assert time.monotonic() - start < LIMIT + GRACE
    if isinstance(result, ExtractionError):
        assert result.message.startswith("extraction failed: ")


@pytest.mark.slow
def test_a_long_text_is_parsed_in_pieces_that_keep_its_text_and_offsets() -> None:
    text = "Biden met Xi in Woodside on Tuesday. They talked for hours.\n\n" * 1000
    doc = parse(text)
    assert doc.text == text
    assert all(text[t.idx : t.idx + len(t.text)] == t.text for t in doc)
    assert sum(1 for t in doc if t.text == "met") == 1000
