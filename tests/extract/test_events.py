"""Event patterns: meetings, calls, visits (host and visitor), talks, summits; held and
planned; negative sentences that must yield no event."""

from __future__ import annotations

import pytest

from kg.extract import Extraction
from kg.records import Event

from .conftest import ExtractText


def only_event(extraction: Extraction) -> Event:
    events = extraction.coding.events
    assert len(events) == 1, [(e.type, sorted(e.actor_ids)) for e in events]
    return events[0]


@pytest.mark.parametrize(
    ("text", "kind", "actors"),
    [
        ("Biden met Xi in Woodside on Tuesday.", "meeting", {"joe-biden", "xi-jinping"}),
        ("Biden and Xi met on Tuesday.", "meeting", {"joe-biden", "xi-jinping"}),
        ("Biden held a meeting with Xi on Tuesday.", "meeting", {"joe-biden", "xi-jinping"}),
        (
            "On Tuesday, Biden sat down with Xi for two hours.",
            "meeting",
            {"joe-biden", "xi-jinping"},
        ),
        ("Biden had a phone call with Xi on Tuesday.", "phone_call", {"joe-biden", "xi-jinping"}),
        (
            "Xi spoke by phone with Putin on Tuesday.",
            "phone_call",
            {"xi-jinping", "vladimir-putin"},
        ),
        ("Biden phoned Putin on Tuesday.", "phone_call", {"joe-biden", "vladimir-putin"}),
        ("Biden and Xi held a video call on Tuesday.", "video_call", {"joe-biden", "xi-jinping"}),
        (
            "Blinken held talks with Wang Yi in Bangkok on Tuesday.",
            "talks",
            {"antony-blinken", "wang-yi"},
        ),
        ("Biden hosted Xi at the White House on Tuesday.", "meeting", {"joe-biden", "xi-jinping"}),
    ],
    ids=[
        "met",
        "and-met",
        "held-meeting",
        "sat-down",
        "phone-call",
        "by-phone",
        "phoned",
        "video",
        "talks",
        "hosted",
    ],
)
def test_meetings_and_calls(
    extract_text: ExtractText, text: str, kind: str, actors: set[str]
) -> None:
    event = only_event(extract_text(text))
    assert (event.type, set(event.actor_ids), event.status) == (kind, actors, "held")
    assert event.date is not None and event.date.iso in ("2024-04-02", "2024-04")
    assert 0 < event.confidence <= 1


def test_visit_has_visitor_and_host(extract_text: ExtractText) -> None:
    event = only_event(extract_text("Blinken visited Beijing on Monday."))
    roles = {p.actor: p.role for p in event.participants}
    assert roles == {"antony-blinken": "visitor", "china": "host"}
    assert event.location == "beijing"
    assert event.date is not None and event.date.iso == "2024-04-01"


def test_host_and_visitor_of_hosted_meeting(extract_text: ExtractText) -> None:
    event = only_event(extract_text("Biden hosted Xi at the White House on Tuesday."))
    assert {p.actor: p.role for p in event.participants} == {
        "joe-biden": "host",
        "xi-jinping": "visitor",
    }


@pytest.mark.parametrize(
    ("text", "date", "earliest"),
    [
        ("Blinken will visit China next week.", "2024-W15", None),
        ("Blinken is expected to travel to Beijing in the coming weeks.", None, "2024-04-02"),
        ("Biden and Xi are scheduled to meet in Woodside next month.", "2024-05", None),
        ("Xi invited Putin to visit China later this year.", "2024", None),
    ],
    ids=["will-visit", "expected-to-travel", "scheduled", "invited"],
)
def test_planned_events(
    extract_text: ExtractText, text: str, date: str | None, earliest: str | None
) -> None:
    event = only_event(extract_text(text))
    assert event.status == "planned"
    assert (event.date.iso if event.date else None) == date
    assert (event.earliest.isoformat() if event.earliest else None) == earliest


def test_invited_visitor_is_the_object(extract_text: ExtractText) -> None:
    event = only_event(extract_text("Xi invited Putin to visit China later this year."))
    assert {p.actor: p.role for p in event.participants} == {
        "vladimir-putin": "visitor",
        "china": "host",
    }


def test_office_resolves_to_its_holder_at_the_date(extract_text: ExtractText) -> None:
    event = only_event(
        extract_text(
            "In January, Blinken had a meeting with the Chinese foreign minister in Bangkok."
        )
    )
    assert event.actor_ids == {"antony-blinken", "wang-yi"}
    assert event.location == "bangkok"
    office = {p.actor: p.office for p in event.participants}
    assert office["wang-yi"] == "foreign-minister-of-china"


def test_office_without_holder_stays_the_office(extract_text: ExtractText) -> None:
    event = only_event(
        extract_text(
            "Blinken is expected to participate in a call with China's minister of defense very soon."
        )
    )
    assert event.actor_ids == {"antony-blinken", "defense-minister-of-china"}
    assert event.status == "planned"


def test_counterpart_is_resolved_through_offices(extract_text: ExtractText) -> None:
    event = only_event(
        extract_text(
            "On the 15th of November, President Xi Jinping met with his US counterpart.", "2023-11"
        )
    )
    assert event.actor_ids == {"xi-jinping", "joe-biden"}
    assert event.date is not None and event.date.iso == "2023-11-15"


def test_pronoun_participant(extract_text: ExtractText) -> None:
    event = only_event(
        extract_text("Xi left for the United States in 2017, when he met with Biden.")
    )
    assert event.actor_ids == {"xi-jinping", "joe-biden"}
    assert event.date is not None and event.date.iso == "2017"


def test_named_summit(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "Biden met Xi during the Asia-Pacific Economic Cooperation (APEC) summit on November 15, 2023."
    )
    summit = next(e for e in extraction.coding.events if e.type == "summit")
    assert summit.name == "Asia-Pacific Economic Cooperation (APEC) summit"


def test_mentions_of_one_event_are_merged_with_every_span(extract_text: ExtractText) -> None:
    text = (
        "Biden had a phone call with Xi on Tuesday.\n\n"
        "During the call, Biden and Xi discussed Taiwan.\n\n"
        "Biden's call with Xi lasted two hours, officials said.\n\n"
        "The two leaders last held a phone call in July 2022.\n"
    )
    calls = extract_text(text).coding.events
    assert [(e.date.iso if e.date else None) for e in calls] == ["2024-04-02", "2022-07"]
    assert len(calls[0].evidence) == 3
    for span in calls[0].evidence:
        assert text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    "text",
    [
        "Biden did not meet Xi on Tuesday.",
        "Biden refused to meet Putin on Tuesday.",
        "Biden called the talks productive on Tuesday.",
        "Biden called on Xi to rein in North Korea.",
        "The meeting of experts was cancelled.",
        "“We would hope there would be a chance for another in-person meeting,” the senior administration official said.",
        "They agreed to lay the groundwork for future talks.",
        "Biden and Xi have met several times this year.",
        "Biden met reporters on Tuesday.",
        "The call for restraint from Washington went unheeded.",
    ],
    ids=[
        "negated",
        "refused",
        "called-talks",
        "called-on",
        "no-participants",
        "in-quote",
        "future-talks",
        "repeated",
        "one-actor",
        "call-for",
    ],
)
def test_no_event(extract_text: ExtractText, text: str) -> None:
    assert extract_text(text).coding.events == ()


def test_framing_event_is_not_dated_by_the_clause(extract_text: ExtractText) -> None:
    text = (
        "Biden met Xi in Beijing on Thursday during Biden's three-day visit to China. "
        "Biden arrived in Beijing on Wednesday."
    )
    events = {e.type: e for e in extract_text(text, "2024-04-05").coding.events}
    assert events["meeting"].date.iso == "2024-04-04"  # type: ignore[union-attr]
    assert events["visit"].date.iso == "2024-04-03"  # type: ignore[union-attr]
    assert len(events["visit"].evidence) == 2


def test_city_of_names_the_destination(extract_text: ExtractText) -> None:
    event = only_event(extract_text("Blinken travelled to the capital city of Moscow on Monday."))
    assert event.location == "moscow"
    assert {p.actor: p.role for p in event.participants} == {
        "antony-blinken": "visitor",
        "russia": "host",
    }


def test_joining_leaders_for_a_meeting(extract_text: ExtractText) -> None:
    text = (
        "Biden met Xi in Beijing on Monday. Putin joined the two leaders for a three-way meeting."
    )
    events = extract_text(text).coding.events
    assert {frozenset(e.actor_ids) for e in events if e.type == "meeting"} == {
        frozenset({"joe-biden", "xi-jinping"}),
        frozenset({"joe-biden", "xi-jinping", "vladimir-putin"}),
    }


def test_hosts_own_leader_is_not_a_visitor(extract_text: ExtractText) -> None:
    event = only_event(extract_text("Blinken and Xi will travel together to Beijing on Friday."))
    assert {p.actor: p.role for p in event.participants} == {
        "antony-blinken": "visitor",
        "china": "host",
    }
    assert event.status == "planned"


@pytest.mark.parametrize(
    "text",
    [
        "Biden held separate talks with Xi and Putin on Tuesday.",
        "Biden also held separate bilateral meetings with Xi and Putin on Tuesday.",
        "Biden met Xi and Putin separately on Tuesday.",
        "Biden held talks with Xi and with Putin on Tuesday.",
    ],
    ids=["separate-talks", "bilateral-meetings", "separately", "repeated-preposition"],
)
def test_separate_meetings_are_one_event_each(extract_text: ExtractText, text: str) -> None:
    events = extract_text(text).coding.events
    assert sorted(sorted(e.actor_ids) for e in events) == [
        ["joe-biden", "vladimir-putin"],
        ["joe-biden", "xi-jinping"],
    ]


def test_a_meeting_of_three_stays_one_event(extract_text: ExtractText) -> None:
    events = extract_text("Biden met Xi and Putin on Tuesday.").coding.events
    assert [sorted(e.actor_ids) for e in events] == [["joe-biden", "vladimir-putin", "xi-jinping"]]


def test_when_clause_dates_each_conjoined_verb(extract_text: ExtractText) -> None:
    text = "The story begins in Beijing on Jan. 9, 2022, when Blinken arrived and met Xi."
    events = {e.type: e for e in extract_text(text).coding.events}
    assert events["meeting"].date.iso == "2022-01-09"  # type: ignore[union-attr]


def test_a_past_participle_is_not_the_future_of_its_governor(extract_text: ExtractText) -> None:
    text = (
        "They agreed to keep implementing the understandings reached by Xi and Biden at their "
        "meeting in Woodside last November."
    )
    event = only_event(extract_text(text))
    assert (event.status, event.date.iso) == ("held", "2023-11")  # type: ignore[union-attr]


def test_a_date_line_dates_the_text_after_it(extract_text: ExtractText) -> None:
    text = (
        "Readouts\n\nSecretary Blinken's Meeting with Wang Yi\nJanuary 22, 2024\n\n"
        "Blinken met today with Wang Yi in Bangkok.\n\n"
        "Secretary Blinken's Meeting with President Xi\n**Tuesday, January 23, 2024**\n\n"
        "Blinken met today with Xi in Beijing."
    )
    events = extract_text(text, "2024-01-25").coding.events
    dates = {frozenset(e.actor_ids): e.date.iso for e in events if e.type == "meeting" and e.date}
    assert dates == {
        frozenset({"antony-blinken", "wang-yi"}): "2024-01-22",
        frozenset({"antony-blinken", "xi-jinping"}): "2024-01-23",
    }


def test_a_meeting_abroad_on_a_day_is_a_visit(extract_text: ExtractText) -> None:
    events = extract_text("Biden met Xi in Beijing on Monday.").coding.events
    visit = next(e for e in events if e.type == "visit")
    assert {p.actor: p.role for p in visit.participants} == {
        "joe-biden": "visitor",
        "china": "host",
    }
    assert visit.date.iso == "2024-04-01"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "Biden and Xi last met in Beijing in March 2011.",
        "Biden met Xi in Beijing on Monday, the second day of a three-day visit to China.",
        "Biden met Xi in Woodside on Monday.",
        "Biden and Xi sat down in Woodside on Monday.",
    ],
    ids=["not-dated-to-a-day", "visit-reported", "subject-at-home", "host-among-subjects"],
)
def test_no_implied_visit(extract_text: ExtractText, text: str) -> None:
    events = extract_text(text).coding.events
    assert [e.rule for e in events if e.type == "visit"] in ([], ["event.noun.visit"])


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        (
            "Xi attended the Group of 20 summit in Bangkok on Tuesday.",
            {"xi-jinping": "participant"},
        ),
        (
            "Biden hosted the Group of 20 summit in Woodside with Xi and Putin on Tuesday.",
            {"joe-biden": "host", "xi-jinping": "participant", "vladimir-putin": "participant"},
        ),
        (
            "Putin flew to Bangkok on Tuesday to attend the Group of 20 summit hosted by Xi.",
            {"vladimir-putin": "participant", "xi-jinping": "host"},
        ),
    ],
    ids=["attended", "hosted-with", "hosted-by"],
)
def test_summit_attendees_from_its_verb(
    extract_text: ExtractText, text: str, roles: dict[str, str]
) -> None:
    summit = next(e for e in extract_text(text).coding.events if e.type == "summit")
    assert {p.actor: p.role for p in summit.participants} == roles
    assert summit.rule == "event.noun.summit.attended"


def test_a_trip_to_several_states_is_one_visit_each(extract_text: ExtractText) -> None:
    events = extract_text("Blinken went on to China, Russia and Ukraine on Monday.").coding.events
    assert sorted(sorted(e.actor_ids) for e in events) == [
        ["antony-blinken", "china"],
        ["antony-blinken", "russia"],
        ["antony-blinken", "ukraine"],
    ]
    assert {e.type for e in events} == {"visit"}


@pytest.mark.parametrize(
    "text",
    ["Xi returned to Beijing on Friday.", "Blinken went to the polls on Tuesday."],
    ids=["going-home", "no-destination"],
)
def test_motion_that_is_no_visit(extract_text: ExtractText, text: str) -> None:
    assert extract_text(text).coding.events == ()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Biden had lunch with Xi at the Filoli estate on Tuesday.", "meeting"),
        ("Biden held talks on Tuesday with Xi.", "talks"),
        ("Blinken held comprehensive discussions with Wang Yi on Tuesday.", "talks"),
    ],
    ids=["meal", "with-on-the-light-verb", "discussions"],
)
def test_event_nouns_take_the_counterpart_of_their_light_verb(
    extract_text: ExtractText, text: str, kind: str
) -> None:
    events = [e for e in extract_text(text).coding.events if e.type == kind]
    assert len(events) == 1 and len(events[0].actor_ids) == 2


def test_a_discussion_in_the_singular_is_no_event(extract_text: ExtractText) -> None:
    assert extract_text("Biden said the discussion with Xi was useful.").coding.events == ()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("President Biden spoke today with President Xi Jinping of China.", "phone_call"),
        ("Biden talked with Xi in Woodside on Tuesday.", "meeting"),
        ("Biden spoke briefly with Xi before a session of the summit on Tuesday.", "meeting"),
    ],
    ids=["readout-call", "in-a-place", "at-the-summit"],
)
def test_readout_prose_states_an_event(extract_text: ExtractText, text: str, kind: str) -> None:
    event = only_event(extract_text(text))
    assert event.type == kind
    assert event.actor_ids == frozenset({"joe-biden", "xi-jinping"})


def test_speaking_to_reporters_is_no_event(extract_text: ExtractText) -> None:
    assert extract_text("Biden spoke to reporters in Woodside on Tuesday.").coding.events == ()
