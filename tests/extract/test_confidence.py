"""Facts rated by their rules' record on the training set: the smoothing, which rules are
used, links to left-out events cut, the shipped counts cover every rule of the cue tables, and
every automatic fact names its rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.extract import Extractor, lexicon
from kg.extract.confidence import RuleCounts, rate, rule_counts
from kg.records import Coding, DateValue, Document, Event, Participation, Statement
from kg.sources.registry import Registry
from tests.extract.conftest import ExtractText

COUNTS = RuleCounts({"event.verb.meet": (58, 22), "event.noun.summit": (1, 28)}, {"events": 0.25})


def test_confidence_is_the_smoothed_precision_of_the_rule() -> None:
    assert COUNTS.confidence("event.verb.meet") == round(59 / 82, 2)
    assert COUNTS.confidence("event.noun.summit") == round(2 / 31, 2)
    assert COUNTS.confidence("event.verb.new") == 0.5  # no record: one half


def test_a_rule_below_its_kinds_cut_is_not_used() -> None:
    assert COUNTS.is_used("event.verb.meet")
    assert not COUNTS.is_used("event.noun.summit")
    assert COUNTS.is_used("event.verb.new")  # no record: used


def _coding() -> Coding:
    document = Document("doc", "Biden met Xi at the summit.", "Talks", None)
    people = (Participation("joe-biden"), Participation("xi-jinping"))
    meeting = Event("event-1", "doc", "meeting", "held", people, (), rule="event.verb.meet")
    summit = Event("event-2", "doc", "summit", "held", (), (), rule="event.noun.summit")
    quote = Statement("s", "doc", "joe-biden", "Fine", (), at="event-2", rule="statement.direct")
    return Coding(document, (meeting, summit), statements=(quote,), source="automatic")


def test_rate_leaves_out_unused_rules_and_cuts_links_to_them() -> None:
    rated = rate(_coding(), COUNTS)
    assert [e.rule for e in rated.events] == ["event.verb.meet"]
    assert rated.events[0].confidence == COUNTS.confidence("event.verb.meet")
    assert rated.statements[0].at is None  # its event was left out
    everything = rate(_coding(), COUNTS, keep_all=True)
    assert len(everything.events) == 2 and everything.statements[0].at == "event-2"


def test_a_missing_counts_file_rates_every_rule_one_half(tmp_path: Path) -> None:
    counts = rule_counts(tmp_path / "none.yaml")
    assert counts.confidence("event.verb.meet") == 0.5
    assert counts.is_used("event.noun.summit")


TRIGGER_TABLES = {
    "event.noun": lexicon.table("events", "event_nouns"),
    "event.verb": lexicon.table("events", "event_verbs"),
    "pledge.verb": {
        **lexicon.table("pledges", "commit_verbs"),
        **dict.fromkeys(lexicon.words("pledges", "announce_verbs"), ""),
    },
    "pledge.noun": lexicon.table("pledges", "commit_nouns"),
    "pledge.reaffirm": dict.fromkeys(lexicon.words("pledges", "reaffirm_verbs"), ""),
    "demand.verb": lexicon.table("demands", "demand_verbs"),
}


SENTENCES = yaml.safe_load((Path(__file__).parent / "rule_sentences.yaml").read_text("utf-8"))


@pytest.mark.parametrize("prefix", sorted(TRIGGER_TABLES))
def test_every_trigger_of_the_cue_tables_has_a_record_or_fires_on_its_sentence(
    prefix: str, extract_text: ExtractText
) -> None:
    """A rule is kept when it has a record on eval/train (it fired there) or, until the set
    has a sentence for it, when it fires on its sentence in rule_sentences.yaml."""
    shipped = rule_counts()
    unproven = []
    for word in sorted(TRIGGER_TABLES[prefix]):
        rule = f"{prefix}.{word}"
        if sum(shipped.counts.get(rule, (0, 0))) or rule in _fired(
            extract_text, SENTENCES.get(rule)
        ):
            continue
        unproven.append(rule)
    assert unproven == [], "rules with no record on eval/train and no sentence firing them"


def _fired(extract_text: ExtractText, sentence: str | None) -> set[str]:
    if sentence is None:
        return set()
    coding = extract_text(sentence).coding
    return {f.rule for f in (*coding.events, *coding.pledges, *coding.demands, *coding.statements)}


def test_the_rule_sentences_are_for_rules_without_a_record() -> None:
    recorded = [rule for rule in SENTENCES if rule in rule_counts().counts]
    assert recorded == [], "these rules have a record on eval/train now: drop their sentences"


def test_the_shipped_counts_name_only_known_kinds() -> None:
    shipped = rule_counts()
    assert set(shipped.drop_below) == {"events", "pledges", "demands", "statements"}
    assert all(
        rule.split(".")[0] in ("event", "pledge", "demand", "statement") for rule in shipped.counts
    )


def test_every_automatic_fact_names_its_rule(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "President Joe Biden met Chinese President Xi Jinping on Tuesday. Biden pledged to "
        "keep talking. Xi urged Washington to stop arming Taiwan. “We had a good talk,” Biden said."
    )
    coding = extraction.coding
    facts = (*coding.events, *coding.pledges, *coding.demands, *coding.statements)
    assert {type(f).__name__ for f in facts} == {"Event", "Pledge", "Demand", "Statement"}
    assert all(f.rule.split(".")[0] in ("event", "pledge", "demand", "statement") for f in facts)


def test_shipped_extraction_rates_facts_by_their_rule(
    registry: Registry, vocabulary: dict[str, frozenset[str]]
) -> None:
    text = "Biden met Xi on Tuesday at the APEC summit in Woodside."
    document = Document("doc", text, "Talks", DateValue.parse("2023-11-16"))
    used = Extractor(registry, vocabulary).extract(document).coding
    every = Extractor(registry, vocabulary, keep_all=True).extract(document).coding
    shipped = rule_counts()
    assert all(e.confidence == shipped.confidence(e.rule) for e in used.events)
    assert {e.rule for e in used.events} == {
        e.rule for e in every.events if shipped.is_used(e.rule)
    }
    assert len(every.events) > len(used.events)  # the summit rule is not used (its record)
