"""Every competency question of COMPETENCY.md, asked through `dipkg query`.

The answers come from the graph built from the bundled corpus; nothing in kg/ knows them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kg.config import Settings
from kg.query.saved import SavedQuery, load_queries
from kg.store import open_store

Ask = Callable[..., list[dict[str, str]]]
DOC_000 = "000_6aee4f90ec08fcc7"
DOC_001 = "001_8a1da5cde644e144"
BOTH = f"{DOC_000}; {DOC_001}"
DIP = "https://w3id.org/dipkg/def#"


def sparql_rows(store_dir: Path, query: str) -> list[tuple[str, ...]]:
    store = open_store(store_dir, read_only=True)
    try:
        return [tuple(str(t) for t in row) for row in store.query(query).rows]
    finally:
        store.close()


def the_meeting(ask: Ask) -> dict[str, str]:
    rows = ask("events", actor="Biden", counterpart="Xi", type="meeting")
    assert len(rows) == 1, rows
    return rows[0]


# -- Events ---------------------------------------------------------------------------------


def test_e1_biden_xi_met_once_in_person_at_filoli(ask: Ask) -> None:
    row = the_meeting(ask)
    assert (row["date"], row["datePrecision"]) == ("2023-11-15", "day")
    for place in ("Filoli estate", "Woodside", "California"):
        assert place in row["location"]
    assert row["location"].startswith("Filoli estate")
    assert "APEC" in row["partOf"] or "Asia-Pacific" in row["partOf"]
    assert row["sources"] == BOTH


@pytest.mark.parametrize(
    ("actor", "counterpart"),
    [
        ("Xi", "Biden"),
        ("Xi Jinping", "Joe Biden"),
        ("President Xi", "President Biden"),
        ("China", "United States"),
        ("PRC", "Washington"),
        ("Beijing", "US"),
    ],
    ids=["surnames", "full-names", "titles", "states", "alias-and-metonym", "metonym-and-alias"],
)
def test_e1_names_as_people_write_them(ask: Ask, actor: str, counterpart: str) -> None:
    rows = ask("events", actor=actor, counterpart=counterpart, type="meeting")
    assert the_meeting(ask)["event"] in [r["event"] for r in rows]


def test_e1_by_iri(ask: Ask) -> None:
    xi = ask("actor", name="Xi")[0]["actor"]
    biden = ask("actor", name="Biden")[0]["actor"]
    rows = ask("events", actor=xi, counterpart=biden, type="meeting")
    assert [r["event"] for r in rows] == [the_meeting(ask)["event"]]


def test_e2_biden_xi_phone_calls(ask: Ask) -> None:
    rows = ask("events", actor="Biden", counterpart="Xi", type="phone_call")
    found = sorted((r["date"], r["datePrecision"], r["sources"]) for r in rows)
    assert found == [("2022-07", "month", DOC_001), ("2024-04-02", "day", DOC_001)]


def test_e2_tuesday_resolved_against_publication(built_store_dir: Path) -> None:
    rows = sparql_rows(
        built_store_dir,
        f"""
        PREFIX dip: <{DIP}>
        SELECT ?basis WHERE {{ ?e a dip:PhoneCall ; dip:date "2024-04-02"^^<http://www.w3.org/2001/XMLSchema#date> ;
                               dip:dateBasis ?basis }}""",
    )
    assert rows == [("https://w3id.org/dipkg/concept/date-basis/inferred",)]


def test_e3_xi_trump_2017(ask: Ask, built_store_dir: Path) -> None:
    rows = ask("events", actor="Xi", counterpart="Trump")
    assert len(rows) == 1
    row = rows[0]
    assert (row["date"], row["datePrecision"], row["sources"]) == ("2017", "year", DOC_000)
    offices = sparql_rows(
        built_store_dir,
        f"""
        PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?office WHERE {{ <{row["event"]}> dip:qualifiedParticipation ?p .
            ?p dip:agent/rdfs:label "Donald Trump"@en ; dip:inOffice/rdfs:label ?office }}""",
    )
    assert offices and "President of the United States" in offices[0][0]


def test_e4_xi_1985_visit(ask: Ask, built_store_dir: Path) -> None:
    rows = [r for r in ask("timeline", actor="Xi") if r["kind"] == "event" and r["date"] == "1985"]
    assert len(rows) == 1
    assert rows[0]["datePrecision"] == "year" and rows[0]["sources"] == DOC_000
    event = rows[0]["item"]
    facts = sparql_rows(
        built_store_dir,
        f"""
        PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?type ?place ?office WHERE {{
            <{event}> dip:eventType ?type ; dip:location/dip:hierarchyLabel ?place ;
                      dip:qualifiedParticipation/dip:inOffice/rdfs:label ?office }}""",
    )
    assert len(facts) == 1
    event_type, place, office = facts[0]
    assert event_type.endswith("/visit")
    assert "San Francisco" in place and "United States" in place
    assert "Zhengding" in office


def test_e5_meetings_below_leader_level(ask: Ask) -> None:
    sullivan = ask("events", actor="Sullivan")
    assert [(r["date"], "Bangkok" in r["location"]) for r in sullivan] == [("2024-01", True)]
    blinken = [r for r in ask("events", actor="Blinken") if r["status"] == "held"]
    assert [(r["date"], "Munich" in r["location"]) for r in blinken] == [("2024-02", True)]


def test_e6_planned_visits_and_calls(ask: Ask) -> None:
    planned = ask("events", status="planned")
    by_person = {
        p: [r for r in planned if p in r["participants"]]
        for p in ("Janet Yellen", "Antony Blinken", "Lloyd Austin")
    }
    assert all(len(rows) == 1 for rows in by_person.values()), by_person
    yellen = by_person["Janet Yellen"][0]
    assert yellen["type"] == "visit" and yellen["datePrecision"] == "week"
    assert yellen["date"] == "2024-04-01"  # the Monday of ISO week 2024-W14
    assert by_person["Antony Blinken"][0]["type"] == "visit"
    austin = by_person["Lloyd Austin"][0]
    assert austin["type"] == "phone_call" and "defense" in austin["participants"].lower()
    assert all(r["status"] == "planned" for r in planned)


def test_e7_xi_putin_call(ask: Ask) -> None:
    calls = [
        r
        for r in ask("events", actor="Xi", type="phone_call")
        if "Vladimir Putin" in r["participants"]
    ]
    assert [(r["date"], r["datePrecision"], r["sources"]) for r in calls] == [
        ("2024", "year", DOC_001)
    ]
    pledges = ask("pledges", maker="Xi", recipient="Putin")
    assert any("strengthen strategic coordination" in r["evidence"] for r in pledges)
    assert all(r["madeAt"] == calls[0]["event"] for r in pledges)


def test_e8_pelosi_visit_with_curators_correction(ask: Ask, built_store_dir: Path) -> None:
    rows = ask("events", actor="Pelosi")
    assert [(r["date"], r["datePrecision"], r["type"]) for r in rows] == [
        ("2022-08", "month", "visit")
    ]
    notes = sparql_rows(
        built_store_dir,
        f"""
        PREFIX dip: <{DIP}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?basis ?note WHERE {{ <{rows[0]["event"]}> dip:dateBasis ?basis ;
                                    skos:editorialNote ?note }}""",
    )
    assert notes and all(b.endswith("/corrected") for b, _ in notes)
    assert any("2022" in note for _, note in notes)


# -- Pledges, demands, statements -----------------------------------------------------------


def test_p1_china_commitments(ask: Ask) -> None:
    rows = ask("pledges", maker="China")
    topics = {t for r in rows for t in r["topic"].split("; ")}
    assert {"narcotics", "elections", "military_communication", "climate"} <= topics
    elections = [r for r in rows if "elections" in r["topic"]]
    assert len(elections) == 1 and DOC_001 in elections[0]["sources"]
    assert elections[0]["madeAt"] == the_meeting(ask)["event"]
    narcotics = [r for r in rows if "narcotics" in r["topic"]]
    assert len(narcotics) == 1 and "fentanyl" in narcotics[0]["content"]


@pytest.mark.parametrize("topic", ["military_communication", "climate"])
def test_p2_joint_commitments(ask: Ask, topic: str) -> None:
    rows = ask("pledges", topic=topic)
    assert rows
    meeting = the_meeting(ask)["event"]
    for row in rows:
        assert row["madeAt"] == meeting
        for country in ("China", "United States"):
            assert row["pledge"] in [
                r["pledge"] for r in ask("pledges", maker=country, topic=topic)
            ]


def test_p2_hotline(ask: Ask) -> None:
    rows = [r for r in ask("pledges", maker="China") if "hotline" in r["content"].lower()]
    assert len(rows) == 1
    assert rows[0]["pledge"] in [r["pledge"] for r in ask("pledges", maker="United States")]


def test_p3_biden_pledges_and_their_fate(ask: Ask) -> None:
    rows = ask("pledges", maker="Biden")
    calls = [r for r in rows if "frequent" in r["content"].lower()]
    assert len(calls) == 1 and calls[0]["date"].startswith("2023-11")
    history = ask("pledge-history", pledge=calls[0]["pledge"])
    progressed = [h for h in history if h["status"] in ("progressed", "fulfilled")]
    assert [(h["date"], h["source"]) for h in progressed] == [("2024-04-02", DOC_001)]
    one_china = [r for r in rows if "taiwan" in r["topic"]]
    assert len(one_china) == 1 and one_china[0]["status"] == "reaffirmed"
    assert "One China" in one_china[0]["content"] or "One China" in one_china[0]["evidence"]


@pytest.mark.parametrize("topic", ["narcotics", "military_communication"])
def test_p4_one_pledge_two_entries(ask: Ask, topic: str) -> None:
    history = ask("pledge-history", topic=topic)
    pledges = {h["pledge"] for h in history}
    assert len(pledges) == 1
    entries = [(h["date"], h["source"]) for h in history]
    assert entries[0] == ("2023-11-15", DOC_000)
    assert ("2024-04-02", DOC_001) in entries
    assert history[0]["status"] == "made"


def test_d1_xi_asks_biden(ask: Ask) -> None:
    rows = ask("demands", by="Xi")
    arming = [r for r in rows if "stop arming Taiwan" in r["evidence"]]
    assert len(arming) == 1
    assert "taiwan" in arming[0]["topic"] and arming[0]["event"] == the_meeting(ask)["event"]
    assert "Joe Biden" in arming[0]["to"]


def test_d2_biden_asks_xi(ask: Ask) -> None:
    topics = [set(r["topic"].split("; ")) for r in ask("demands", by="Biden")]
    assert any("middle_east" in t for t in topics)
    assert any("ukraine_war" in t for t in topics)
    assert any({"taiwan", "elections"} & t for t in topics)
    assert all(r["to"] for r in ask("demands", by="Biden"))


def test_s1_what_xi_said(ask: Ask) -> None:
    quotes = " | ".join(r["quote"] for r in ask("statements", speaker="Xi"))
    for expected in (
        "turning our backs on each other is not realistic",
        "the most important bilateral relationship in the world",
        "stop arming Taiwan, and support China\u2019s peaceful reunification",
    ):
        assert expected in quotes


def test_s2_tone_of_the_meeting(ask: Ask) -> None:
    rows = ask("statements", contains="productive")
    speakers = {r["speaker"]: r["quote"] for r in rows}
    assert "some of the most productive discussions" in speakers["Joe Biden"]
    white_house = [q for s, q in speakers.items() if "White House" in s]
    assert white_house == ["candid and constructive"]


def test_s3_trust_but_verify(ask: Ask) -> None:
    rows = ask("statements", contains="verify")
    assert len(rows) == 1
    assert "official" in rows[0]["speaker"].lower()
    assert rows[0]["quote"].startswith("Trust but verify") and rows[0]["sources"] == DOC_001


# -- Actors and provenance ------------------------------------------------------------------


def test_a1_yellen(ask: Ask) -> None:
    [row] = ask("actor", name="Yellen")
    assert row["label"] == "Janet Yellen" and row["kind"] == "person"
    assert "Secretary of the Treasury" in row["roles"]
    assert row["country"] == "United States"
    assert row["wikidata"] == "http://www.wikidata.org/entity/Q263725"


@pytest.mark.parametrize(
    ("name", "label", "office", "qid"),
    [
        ("Xi", "Xi Jinping", "President of the People's Republic of China", "Q15031"),
        ("Biden", "Joe Biden", "President of the United States", "Q6279"),
    ],
    ids=["xi", "biden"],
)
def test_a2_leaders(ask: Ask, name: str, label: str, office: str, qid: str) -> None:
    [row] = ask("actor", name=name)
    assert row["label"] == label and office in row["roles"]
    assert row["wikidata"].endswith(qid)


def test_a3_foreign_minister_resolved_through_dated_roles(ask: Ask, built_store_dir: Path) -> None:
    [meeting] = ask("events", actor="Sullivan")
    rows = sparql_rows(
        built_store_dir,
        f"""
        PREFIX dip: <{DIP}>
        SELECT ?agent ?kind ?office WHERE {{
          <{meeting["event"]}> dip:qualifiedParticipation ?p .
          ?p dip:agent ?agent . ?agent a ?kind .
          FILTER(?kind IN (dip:Person, dip:Office))
          FILTER NOT EXISTS {{ ?agent dip:officeTerm/dip:office/<http://www.w3.org/2000/01/rdf-schema#label> ?l .
                               FILTER(CONTAINS(?l, "National Security")) }}
          OPTIONAL {{ ?p dip:inOffice ?office }} }}""",
    )
    assert len(rows) == 1
    agent, kind, office = rows[0]
    if kind == DIP + "Person":
        terms = sparql_rows(
            built_store_dir,
            f"""
            PREFIX dip: <{DIP}>
            SELECT ?start WHERE {{ <{agent}> dip:officeTerm ?t . ?t dip:office <{office}> ;
                                   dip:start ?start }}""",
        )
        assert terms and terms[0][0] <= "2024-01-31"
    else:
        assert "Foreign" in agent or "foreign" in agent


def test_v1_provenance_of_the_meeting(ask: Ask) -> None:
    meeting = the_meeting(ask)["event"]
    spans = ask("provenance", resource=meeting)
    assert {s["source"] for s in spans} == {DOC_000, DOC_001}
    corpus = Settings().corpus_dir
    for span in spans:
        text = (corpus / f"{span['source']}.txt").read_text(encoding="utf-8")
        assert text[int(span["start"]) : int(span["end"])] == span["text"]


@pytest.mark.parametrize(
    ("query", "column", "param", "kind"),
    [("pledges", "pledge", "maker", "Pledge"), ("demands", "demand", "by", "Demand")],
)
def test_rows_are_of_their_kind_also_when_made_on_behalf_of_a_state(
    ask: Ask, built_store_dir: Path, query: str, column: str, param: str, kind: str
) -> None:
    rows = ask(query, **{param: "China"})
    typed = {
        row[0] for row in sparql_rows(built_store_dir, f"SELECT ?n WHERE {{ ?n a <{DIP}{kind}> }}")
    }
    assert rows and {r[column] for r in rows} <= typed


QUERIES = sorted(load_queries(Settings().queries_dir).values(), key=lambda q: q.name)


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_example_finds_rows(ask: Ask, query: SavedQuery) -> None:
    """The examples on the form pages and in the API document show something."""
    assert ask(query.name, **query.example), (
        f"{query.name}: its example {query.example} finds nothing"
    )
