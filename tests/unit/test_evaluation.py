"""Scoring extraction against gold codings: the counts and ratios, what matches per kind,
date accuracy, the report formats, and `dipkg eval` over a small gold directory."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.cli import cli
from kg.extract.confidence import rule_counts
from kg.flows.evaluate import DateScore, Score, score_coding
from kg.records import (
    Actor,
    Coding,
    DateValue,
    Demand,
    Document,
    Event,
    Participation,
    Pledge,
    Span,
    Statement,
    StatusStep,
)
from kg.sources.registry import Registry

DOC = Document("d", "Xi met Biden.", "t", DateValue.parse("2024-04-02"))
SPAN = Span("d", 0, 12, "Xi met Biden")
REGISTRY = Registry(
    {
        "china": Actor("china", "China", "state"),
        "united-states": Actor("united-states", "United States", "state"),
        "xi-jinping": Actor("xi-jinping", "Xi Jinping", "person", aliases=("Xi",), country="china"),
        "joe-biden": Actor("joe-biden", "Joe Biden", "person", country="united-states"),
        "fumio-kishida": Actor("fumio-kishida", "Fumio Kishida", "person"),
    },
    {},
)


def event(date: str | None, *actors: str, kind: str = "meeting", status: str = "held") -> Event:
    return Event(
        key=f"e{date}{kind}",
        document_id="d",
        type=kind,
        status=status,
        participants=tuple(Participation(a) for a in actors),
        evidence=(SPAN,),
        date=DateValue.parse(date) if date else None,
    )


def pledge(
    makers: tuple[str, ...], topics: tuple[str, ...], on_behalf: tuple[str, ...] = ()
) -> Pledge:
    step = StatusStep("made", "d", (SPAN,))
    return Pledge("p", "d", "pledge", makers, "x", topics, (step,), on_behalf_of=on_behalf)


def coding(**kinds: tuple) -> Coding:  # type: ignore[type-arg]
    return Coding(DOC, **kinds)


def test_score_ratios() -> None:
    score = Score(tp=8, fp=2, fn=4)
    assert score.precision == pytest.approx(0.8)
    assert score.recall == pytest.approx(8 / 12)
    assert score.f1 == pytest.approx(2 * 0.8 * (8 / 12) / (0.8 + 8 / 12))
    assert Score().precision == Score().recall == 1.0
    assert (Score(1, 0, 0) + Score(0, 1, 2)) == Score(1, 1, 2)
    assert DateScore(19, 20).accuracy == pytest.approx(0.95)


def test_events_match_on_type_participants_and_compatible_dates() -> None:
    gold = coding(
        events=(
            event("2024-04-02", "xi-jinping", "joe-biden"),
            event("2022-07", "xi-jinping", "joe-biden", kind="phone_call"),
        )
    )
    predicted = coding(
        events=(
            event("2024-04", "joe-biden", "xi-jinping"),  # compatible, less precise
            event("2022-08", "xi-jinping", "joe-biden", kind="phone_call"),  # incompatible date
            event("2024-04-02", "xi-jinping", "joe-biden", kind="visit"),  # wrong type
        )
    )
    result = score_coding(gold, predicted, REGISTRY)
    assert result.scores["events"] == Score(tp=1, fp=2, fn=1)
    assert result.dates == DateScore(0, 1)
    assert any("predicted 2024-04" in m for m in result.misses["dates"])


def test_planned_event_without_date_matches() -> None:
    gold = coding(events=(event(None, "xi-jinping", "joe-biden", status="planned"),))
    predicted = coding(events=(event("2024-W15", "xi-jinping", "joe-biden", status="planned"),))
    assert score_coding(gold, predicted, REGISTRY).scores["events"] == Score(1, 0, 0)


def test_provisional_actor_matches_the_registry_actor_by_name() -> None:
    gold = coding(events=(event("2024-04-02", "fumio-kishida", "joe-biden"),))
    predicted = coding(events=(event("2024-04-02", "kishida-fumio", "joe-biden"),))
    provisional = [Actor("kishida-fumio", "Fumio Kishida", "person", is_provisional=True)]
    assert score_coding(gold, predicted, REGISTRY, provisional).scores["events"] == Score(1, 0, 0)
    assert score_coding(gold, predicted, REGISTRY).scores["events"] == Score(0, 1, 1)


def test_pledges_match_on_parties_and_a_shared_topic() -> None:
    gold = coding(pledges=(pledge(("china",), ("narcotics", "trade")),))
    assert score_coding(
        gold, coding(pledges=(pledge(("xi-jinping",), ("narcotics",)),)), REGISTRY
    ).scores["pledges"] == Score(1, 0, 0)
    assert score_coding(
        gold, coding(pledges=(pledge(("xi-jinping",), ("climate",)),)), REGISTRY
    ).scores["pledges"] == Score(0, 1, 1)
    assert score_coding(
        gold, coding(pledges=(pledge(("joe-biden",), ("narcotics",)),)), REGISTRY
    ).scores["pledges"] == Score(0, 1, 1)


def test_demands_and_statements() -> None:
    demand = Demand(
        "x",
        "d",
        "demand",
        ("joe-biden",),
        "c",
        ("taiwan",),
        (SPAN,),
        on_behalf_of=("united-states",),
    )
    statement = Statement("s", "d", "xi-jinping", "Turning our backs is not realistic.", (SPAN,))
    gold = coding(demands=(demand,), statements=(statement,))
    predicted = coding(
        demands=(
            Demand("y", "d", "request", ("united-states",), "c2", ("taiwan", "elections"), (SPAN,)),
        ),
        statements=(
            Statement("t", "d", "xi-jinping", "turning our backs is not realistic", (SPAN,)),
            Statement("u", "d", "joe-biden", "turning our backs is not realistic", (SPAN,)),
        ),
    )
    result = score_coding(gold, predicted, REGISTRY)
    assert result.scores["demands"] == Score(1, 0, 0)
    assert result.scores["statements"] == Score(1, 1, 0)


GOLD_TEXT = "Talks\n\nPresident Joe Biden met Chinese President Xi Jinping on Tuesday.\n\n“It went well,” Biden said.\n"
GOLD_META = "title: Talks\npublished: 2024-04-02\n"
GOLD_CODING = """
document: one
events:
  - id: m
    type: meeting
    date: {value: 2024-04-02, basis: inferred}
    participants: [{actor: Biden}, {actor: Xi}]
    evidence: ["President Joe Biden met Chinese President Xi Jinping on Tuesday."]
  - id: missing
    type: phone_call
    date: 2022-07
    participants: [{actor: Biden}, {actor: Xi}]
    evidence: ["President Joe Biden met Chinese President Xi Jinping on Tuesday."]
statements:
  - id: s
    speaker: Biden
    quote: It went well
    evidence: ["“It went well,” Biden said."]
"""


@pytest.fixture()
def gold_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "gold"
    folder.mkdir()
    (folder / "one.txt").write_text(GOLD_TEXT, encoding="utf-8")
    (folder / "one.meta.yaml").write_text(GOLD_META, encoding="utf-8")
    (folder / "one.coding.yaml").write_text(textwrap.dedent(GOLD_CODING), encoding="utf-8")
    return folder


def test_eval_command_prints_the_table(gold_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(gold_dir), "--per-document"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["kind", "gold", "pred", "match", "P", "R", "F1"]
    events = next(line for line in lines if line.startswith("events"))
    assert events.split()[1:4] == ["2", "1", "1"]
    assert "missed phone_call 2022-07" in result.output


def test_eval_command_json_and_markdown(gold_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(gold_dir), "--format", "json"])
    data = json.loads(result.output)
    assert data["totals"]["statements"]["f1"] == 1.0
    assert data["totals"]["events"]["recall"] == 0.5
    assert data["dates"] == {"correct": 1, "total": 1, "accuracy": 1.0}
    markdown = CliRunner().invoke(cli, ["eval", str(gold_dir), "--format", "markdown"]).output
    assert markdown.startswith("| kind | gold | predicted |")


def test_eval_command_picks_the_design_of_extraction(gold_dir: Path) -> None:
    learned = CliRunner().invoke(cli, ["eval", str(gold_dir), "--detection", "learned"])
    assert learned.exit_code == 0, learned.output
    events = next(line for line in learned.output.splitlines() if line.startswith("events"))
    assert events.split()[1:4] == ["2", "1", "1"]  # the meeting's sentence scores high: kept
    wrong = CliRunner().invoke(cli, ["eval", str(gold_dir), "--detection", "neural"])
    assert wrong.exit_code == 2 and "'neural'" in wrong.output


def test_eval_command_without_gold_codings(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(tmp_path)])
    assert result.exit_code == 2
    assert "no documents with a gold coding" in result.output


def test_eval_command_without_extra_registry(gold_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(gold_dir), "--without-extra"])
    assert result.exit_code == 0, result.output


def test_gold_registry_adds_the_extra_file(tmp_path: Path) -> None:
    from kg.errors import InputError
    from kg.flows.evaluate import gold_registry

    base = tmp_path / "registry.yaml"
    base.write_text("states:\n  - {id: japan, label: Japan}\n", encoding="utf-8")
    folder = tmp_path / "gold"
    folder.mkdir()
    extra = folder / "registry-extra.yaml"
    extra.write_text(
        "people:\n  - {id: fumio-kishida, label: Fumio Kishida, country: japan}\n",
        encoding="utf-8",
    )
    registry = gold_registry(folder, base)
    assert registry.find_actor("Fumio Kishida").country == "japan"  # type: ignore[union-attr]
    extra.write_text("states:\n  - {id: japan, label: Japan}\n", encoding="utf-8")
    with pytest.raises(InputError, match="used twice"):
        gold_registry(folder, base)


def test_eval_by_rule_counts_each_rule_and_writes_them(gold_dir: Path, tmp_path: Path) -> None:
    counts = tmp_path / "counts.yaml"
    result = CliRunner().invoke(
        cli, ["eval", str(gold_dir), "--by-rule", "--write-counts", str(counts)]
    )
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[9:]}
    assert rows["event.verb.meet"][:2] == ["1", "0"]  # the meeting found, no false alarm
    assert rows["statement.direct"][:2] == ["1", "0"]
    written = yaml.safe_load(counts.read_text(encoding="utf-8"))
    assert written["rules"]["event.verb.meet"] == [1, 0]
    assert written["kinds"]["events"] == {"f1": 0.6667, "drop_below": 0.3333}
    assert rule_counts(counts).confidence("event.verb.meet") == 0.67  # (1 + 1) / (1 + 0 + 2)


def test_write_counts_needs_by_rule(gold_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["eval", str(gold_dir), "--write-counts", str(tmp_path / "c.yaml")]
    )
    assert result.exit_code == 2
    assert "--write-counts needs --by-rule" in result.output


def test_eval_command_lists_misses_fact_by_fact(gold_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(gold_dir), "--misses"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "one  events: missed phone_call 2022-07 ['joe-biden', 'xi-jinping'] (held)"
        '  "President Joe Biden met Chinese President Xi Jinping on Tuesday."'
    ]


@pytest.mark.parametrize("flag", ["--misses", "--per-document"])
def test_eval_command_refuses_to_list_the_sealed_test_split(tmp_path: Path, flag: str) -> None:
    sealed = tmp_path / "eval" / "test"
    sealed.mkdir(parents=True)
    result = CliRunner().invoke(cli, ["eval", str(sealed), flag])
    assert result.exit_code == 2
    assert "sealed test split" in result.output
