"""Reading plain text, Markdown and HTML with metadata from a sidecar or arguments, and
finding web noise without changing a character of the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources.articles import read_document
from kg.sources.cleaning import clean_text

from .conftest import ExtractText, write_document

META = "title: Talks resume\npublished: 2024-04-02\n"


def kinds(text: str, title: str | None = None) -> list[tuple[str, str]]:
    cleaned = clean_text(text, title)
    return [(n.kind, text[n.start : n.end]) for n in cleaned.noise]


def test_masked_text_keeps_every_offset() -> None:
    text = "Headline here\n\nBy Jane Doe\n\nXi met Biden on Tuesday.\n\nShare\n"
    cleaned = clean_text(text)
    assert len(cleaned.masked) == len(text)
    for start, end in cleaned.kept:
        assert cleaned.masked[start:end] == text[start:end]
    assert cleaned.masked.count("\n") == text.count("\n")
    assert [text[s:e] for s, e in cleaned.kept] == ["Xi met Biden on Tuesday."]


@pytest.mark.parametrize(
    ("text", "kind", "noise"),
    [
        ("Biden and Xi talk\n\nBiden and Xi talk\n\nThey met.\n", "headline", "Biden and Xi talk"),
        ("Title\n\nThe leaders met.\n\nThe leaders met.\n", "repeated", "The leaders met."),
        ("Title\n\nThey met.\n\nKevin Lamarque/Reuters\n", "credit", "Kevin Lamarque/Reuters"),
        ("Title\n\nThey met.\n\nPhoto: AFP\n", "credit", "Photo: AFP"),
        (
            "Title\n\nRelated article\n\nXi promised Biden a hotline\n\nThey met.\n",
            "teaser",
            "Xi promised Biden a hotline",
        ),
        (
            "Title\n\nThey met.\n\nRead more: Xi visits Moscow\n",
            "teaser",
            "Read more: Xi visits Moscow",
        ),
        ("Title\n\nThey met.\n\nJoin our newsletter\n", "trailer", "Join our newsletter"),
        (
            "Title\n\nThey met.\n\nReporting by Jane Doe; Editing by John Roe\n",
            "trailer",
            "Reporting by Jane Doe; Editing by John Roe",
        ),
        ("Title\n\nBy Jane Doe and John Roe\n\nThey met.\n", "byline", "By Jane Doe and John Roe"),
        ("Title\n\nThey met.\n\nEditor's P/S:\n\nXi met Putin.\n", "summary", "Xi met Putin."),
        (
            "Title\n\nWASHINGTON (Reuters) - They met on Monday.\n",
            "dateline",
            "WASHINGTON (Reuters) - ",
        ),
        ("Title\n\n10:45 GMT – They met on Monday.\n", "dateline", "10:45 GMT – "),
    ],
    ids=[
        "repeated-headline",
        "repeated-paragraph",
        "photo-credit",
        "photo-credit-prefix",
        "related-teaser",
        "read-more",
        "newsletter",
        "wire-trailer",
        "byline",
        "editor-summary",
        "dateline",
        "live-blog-time",
    ],
)
def test_noise_kinds(text: str, kind: str, noise: str) -> None:
    assert (kind, noise) in kinds(text)


def test_repeated_photo_caption_is_noise_everywhere() -> None:
    caption = (
        "U.S. President Joe Biden meets with Chinese President Xi Jinping at Filoli estate, "
        "in Woodside, California, U.S., November 15, 2023."
    )
    text = f"Title\n\nBiden spoke.\n\n{caption}\n\n{caption}\n\nXi spoke.\n"
    found = kinds(text)
    assert found.count(("caption", caption)) == 2


def test_body_paragraphs_are_kept() -> None:
    text = (
        "Biden and Xi hold call\n\nPresident Joe Biden had a phone call with Xi on Tuesday.\n\n"
        "The call lasted two hours, officials said.\n"
    )
    kept = [text[s:e] for s, e in clean_text(text, "Biden and Xi hold call").kept]
    assert kept == [
        "President Joe Biden had a phone call with Xi on Tuesday.",
        "The call lasted two hours, officials said.",
    ]


def test_markdown_markup_is_masked_in_place() -> None:
    text = "# Title\n\nBiden met **Xi** in [Woodside](https://example.org/w).\n\n![photo](x.jpg)\n"
    cleaned = clean_text(text)
    assert "Biden met   Xi   in  Woodside " in cleaned.masked
    assert "https" not in cleaned.masked
    assert "photo" not in cleaned.masked


def test_fact_only_in_noise_is_not_extracted(extract_text: ExtractText) -> None:
    text = (
        "Biden and Xi agree to talk more\n\n"
        "Officials said little on Tuesday.\n\n"
        "Related article\n\n"
        "Xi met Putin in Moscow on Monday\n\n"
        "Editor's P/S:\n\nBiden met Xi in Woodside on Monday.\n"
    )
    extraction = extract_text(text)
    assert extraction.coding.events == ()
    assert {n.kind for n in extraction.noise} >= {"headline", "teaser", "summary"}


def test_plain_text_and_sidecar(tmp_path: Path) -> None:
    path = write_document(tmp_path, "a.txt", "Talks resume\n\nThey met.\n", META)
    document = read_document(path)
    assert document.id == "a"
    assert document.text == "Talks resume\n\nThey met.\n"
    assert document.published is not None and document.published.iso == "2024-04-02"


def test_explicit_metadata_wins_over_sidecar(tmp_path: Path) -> None:
    path = write_document(tmp_path, "a.md", "# Talks\n\nThey met.\n", META)
    document = read_document(path, metadata={"published": "2024-04-03", "title": "Other"})
    assert document.published is not None and document.published.iso == "2024-04-03"
    assert document.title == "Other"


def test_metadata_from_arguments_only(tmp_path: Path) -> None:
    path = write_document(tmp_path, "b.txt", "They met.\n", None)
    document = read_document(path, metadata={"title": "T", "published": "2024-04"})
    assert document.published is not None and document.published.precision == "month"


def test_missing_publication_date_stays_unknown(tmp_path: Path) -> None:
    path = write_document(tmp_path, "c.txt", "Talks resume\n\nThey met last Tuesday.\n", None)
    document = read_document(path, require_metadata=False)
    assert document.published is None
    assert document.title == "Talks resume"


def test_curated_corpus_still_requires_a_sidecar(tmp_path: Path) -> None:
    path = write_document(tmp_path, "d.txt", "They met.\n", None)
    with pytest.raises(InputError, match="metadata file not found"):
        read_document(path)


def test_bad_publication_date_names_the_field(tmp_path: Path) -> None:
    path = write_document(tmp_path, "e.txt", "x\n", "title: T\npublished: March 2024\n")
    with pytest.raises(InputError, match="published"):
        read_document(path)


HTML = """<!DOCTYPE html><html><head><title>Biden hosts Zelensky | Desk</title>
<meta property="article:published_time" content="2022-12-22"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>Biden hosts Zelensky</h1>
<p>President Joe Biden hosted Ukrainian President Volodymyr Zelensky at the White House on Wednesday, in the first trip abroad by the Ukrainian leader since the invasion began.</p>
<p>The two leaders held talks for more than two hours and discussed air defence, artillery and the coming winter.</p>
<p>Read more: How air defence works</p>
</article><aside><h3>Related</h3><ul><li><a href="/a">Other story</a></li></ul></aside>
<footer><p>Sign up for our newsletter</p><p>All rights reserved.</p></footer></body></html>
"""


def test_html_boilerplate_is_removed_offline(tmp_path: Path) -> None:
    path = write_document(tmp_path, "page.html", HTML, None)
    document = read_document(path, require_metadata=False)
    assert "Home" not in document.text and "newsletter" not in document.text
    assert "President Joe Biden hosted" in document.text
    assert document.published is not None and document.published.iso == "2022-12-22"
    assert "page's own metadata" in (document.notes or "")
    assert ("teaser", "Read more: How air defence works") in kinds(document.text, document.title)


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = write_document(tmp_path, "x.pdf", "%PDF", None)
    with pytest.raises(InputError, match="unsupported"):
        read_document(path)
