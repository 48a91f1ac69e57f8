"""Pledge and demand patterns: the many phrasings, makers and addressees, topics, status
steps, and sentences that must yield nothing."""

from __future__ import annotations

import pytest

from kg.extract import Extraction
from kg.records import Demand, Pledge

from .conftest import ExtractText


def only_pledge(extraction: Extraction) -> Pledge:
    pledges = extraction.coding.pledges
    assert len(pledges) == 1, [(p.makers, p.content) for p in pledges]
    return pledges[0]


def only_demand(extraction: Extraction) -> Demand:
    demands = extraction.coding.demands
    assert len(demands) == 1, [(d.requesters, d.content) for d in demands]
    return demands[0]


@pytest.mark.parametrize(
    ("text", "kind", "makers", "topic"),
    [
        (
            "Xi pledged to curb the flow of fentanyl precursors.",
            "pledge",
            ("xi-jinping",),
            "narcotics",
        ),
        (
            "Xi promised that China would not interfere in the election.",
            "pledge",
            ("xi-jinping",),
            "elections",
        ),
        (
            "Biden vowed to keep supporting Ukraine against the invasion.",
            "pledge",
            ("joe-biden",),
            "ukraine_war",
        ),
        ("China committed to cooperate on climate change.", "pledge", ("china",), "climate"),
        (
            "Xi assured Biden that China would not interfere in the election.",
            "assurance",
            ("xi-jinping",),
            "elections",
        ),
        (
            "Russia undertook to halt the export of weapons to Iran.",
            "pledge",
            ("russia",),
            "middle_east",
        ),
        (
            "China and the United States agreed to resume military-to-military communications.",
            "agreement",
            ("china", "united-states"),
            "military_communication",
        ),
        (
            "The two leaders agreed to open a presidential hotline.",
            "agreement",
            ("united-states", "china"),
            "bilateral_relations",
        ),
        (
            "China will provide $200 million in reconstruction aid to Ukraine.",
            "pledge",
            ("china",),
            "ukraine_war",
        ),
        (
            "Biden announced $1.85 billion in military aid for Ukraine.",
            "pledge",
            ("joe-biden",),
            "ukraine_war",
        ),
        (
            "Xi's pledge to strengthen strategic coordination with Russia drew criticism.",
            "pledge",
            ("xi-jinping",),
            "strategic_coordination",
        ),
    ],
    ids=[
        "pledged",
        "promised",
        "vowed",
        "committed",
        "assured",
        "undertook",
        "agreed",
        "leaders-agreed",
        "will",
        "announced-aid",
        "noun",
    ],
)
def test_pledge_phrasings(
    extract_text: ExtractText, text: str, kind: str, makers: tuple[str, ...], topic: str
) -> None:
    text = "Biden met Xi in Woodside on Monday.\n\n" + text
    pledge = only_pledge(extract_text(text))
    assert pledge.kind == kind
    assert set(pledge.makers) == set(makers)
    assert topic in pledge.topics
    assert pledge.steps[0].status == "made"
    assert pledge.steps[0].evidence[0].text.endswith(text.split("\n\n")[1])
    assert 0 < pledge.confidence <= 1


def test_person_pledges_for_their_state(extract_text: ExtractText) -> None:
    pledge = only_pledge(extract_text("Xi pledged to curb the flow of fentanyl precursors."))
    assert pledge.on_behalf_of == ("china",)


def test_pledge_made_at_the_meeting_reported_with_it(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "During their meeting on Monday, Xi assured Biden that China would not interfere in the election."
    )
    pledge = only_pledge(extraction)
    meeting = extraction.coding.events[0]
    assert pledge.made_at == meeting.key
    assert pledge.date == meeting.date
    assert pledge.recipients == ("joe-biden",)


def test_coordinated_commitment_with_its_own_maker_is_split(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "Biden met Xi in Woodside on Monday. "
        "The two leaders agreed on cooperating to tackle climate issues, as well as China "
        "stepping up to curb chemicals used in fentanyl production."
    )
    found = {(tuple(sorted(p.makers)), p.topics[0]) for p in extraction.coding.pledges}
    assert (("china",), "narcotics") in found


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Biden reaffirmed the US's One China policy.", "reaffirmed"),
        ("Xi reiterated his commitment to peaceful reunification with Taiwan.", "reaffirmed"),
        (
            "The call is a step toward fulfilling a commitment made by Biden to talk more often.",
            "progressed",
        ),
        ("Russia broke its promise to withdraw troops from Ukraine.", "broken"),
    ],
    ids=["reaffirmed", "reiterated", "progressed", "broken"],
)
def test_status_steps(extract_text: ExtractText, text: str, status: str) -> None:
    pledge = only_pledge(extract_text(text))
    assert pledge.steps[-1].status == status


def test_anaphoric_reiteration_adds_a_step_to_the_earlier_pledge(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "In November, Xi assured Biden that China would not interfere in the election. "
        "This assurance was also reiterated by the Chinese foreign minister to Blinken."
    )
    pledge = only_pledge(extraction)
    assert [s.status for s in pledge.steps] == ["made", "reaffirmed"]
    assert pledge.steps[1].by == ("wang-yi",)


def test_re_reported_pledge_is_one_pledge_with_two_mentions(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "Biden pledged that the two leaders would increase communication by calling each other more often. "
        "The call was a step forward in fulfilling a commitment made by Biden publicly."
    )
    pledge = only_pledge(extraction)
    assert [s.status for s in pledge.steps] == ["made", "progressed"]


@pytest.mark.parametrize(
    "text",
    [
        "Both parties agreed on the importance of communication.",
        "Beijing refused to restore military-to-military communication channels.",
        "Xi did not promise anything on Taiwan.",
        "Yellen will visit China this week.",
        "Blinken said China would make its own decisions.",
        "Biden and Xi reiterated their positions on Taiwan.",
        "“We will never abandon Taiwan,” Biden said.",
    ],
    ids=["opinion", "refused", "negated", "event-not-pledge", "other-side", "positions", "quoted"],
)
def test_no_pledge(extract_text: ExtractText, text: str) -> None:
    assert extract_text(text).coding.pledges == ()


@pytest.mark.parametrize(
    ("text", "requesters", "addressees", "topic"),
    [
        ("Xi asked Biden to stop arming Taiwan.", ("xi-jinping",), ("joe-biden",), "taiwan"),
        ("Biden urged Xi to rein in North Korea.", ("joe-biden",), ("xi-jinping",), "north_korea"),
        (
            "Biden pressed Xi to use his influence on Iran.",
            ("joe-biden",),
            ("xi-jinping",),
            "middle_east",
        ),
        (
            "The White House called on Beijing to stop its cyberattacks.",
            ("white-house",),
            ("china",),
            "cybersecurity",
        ),
        (
            "Wang Yi demanded that Washington lift its sanctions on Chinese companies.",
            ("wang-yi",),
            ("united-states",),
            "trade",
        ),
        (
            "Biden said that he expects no interference in the election from Beijing.",
            ("joe-biden",),
            ("china",),
            "elections",
        ),
    ],
    ids=["asked", "urged", "pressed", "called-on", "demanded-that", "expects-no"],
)
def test_demand_phrasings(
    extract_text: ExtractText, text: str, requesters, addressees, topic: str
) -> None:
    demand = only_demand(extract_text(text))
    assert demand.requesters == requesters
    assert demand.addressees == addressees
    assert topic in demand.topics


def test_coordinated_requests_on_different_topics_are_two_demands(
    extract_text: ExtractText,
) -> None:
    extraction = extract_text(
        "Biden pressed Xi to use China's influence on Iran to keep the Israel-Hamas conflict "
        "from spreading, as well as continue withholding military support for Russia in its "
        "invasion of Ukraine."
    )
    topics = sorted(d.topics[0] for d in extraction.coding.demands)
    assert topics == ["middle_east", "ukraine_war"]


@pytest.mark.parametrize(
    "text",
    [
        "When asked about Xi's assurance, the official stressed the need to verify.",
        "Biden called the talks productive.",
        "Biden did not ask Xi to release anyone.",
        "Xi was asked to comment on Taiwan.",
        "Biden asked about the weather.",
    ],
    ids=["when-asked", "called-talks", "negated", "passive", "asked-about"],
)
def test_no_demand(extract_text: ExtractText, text: str) -> None:
    assert extract_text(text).coding.demands == ()


def test_trade_cues(extract_text: ExtractText) -> None:
    pledge = only_pledge(extract_text("China agreed to buy 160 American aircraft."))
    assert pledge.topics == ("trade",)
    demand = only_demand(
        extract_text("Biden called on China to give American companies fair access to its market.")
    )
    assert demand.topics == ("trade",)
