"""Golden outputs: the chosen articles, crawled from the replica, equal the committed files.

One crawl for the module (tests/golden.py); a failure shows the diff and how to regenerate.
"""

from __future__ import annotations

import json
import re

import pytest

from tests import golden


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> dict[str, golden.Output]:
    return golden.crawl_replica(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("source_id", list(golden.CHOSEN))
def test_article_equals_its_golden_files(produced, source_id):
    committed = golden.golden_files()
    mismatches = [
        golden.mismatch_message(name, committed.get(name), text)
        for name, text in produced[source_id].files(source_id).items()
        if committed.get(name) != text
    ]
    if mismatches:
        pytest.fail("\n\n".join(mismatches), pytrace=False)


def test_no_stray_golden_files():
    stray = set(golden.golden_files()) - golden.expected_files()
    assert not stray, f"golden files of no chosen article: {sorted(stray)}. {golden.HOW_TO_UPDATE}"


def _bodies() -> dict[str, str]:
    """Each golden article's Markdown after its title line (front matter and title aside)."""
    files = golden.golden_files()
    return {
        source_id: files[f"{source_id}.md"].split("\n# ", 1)[1].split("\n", 1)[1]
        for source_id in golden.CHOSEN
    }


def _records() -> dict[str, dict]:
    files = golden.golden_files()
    return {source_id: json.loads(files[f"{source_id}.json"]) for source_id in golden.CHOSEN}


@pytest.mark.parametrize(
    "shape, pattern",
    [
        ("a table row", r"^\| .+ \|$"),
        ("a table's delimiter row", r"^\|(?:-+\|)+$"),
        ("a quote", r"^> \S"),
        ("a bullet list item", r"^- \S"),
        ("a nested list item", r"^  - \S"),
        ("a numbered list item", r"^1\. \S"),
        ("an h3 heading", r"^### \S"),
        ("an h4 heading", r"^#### \S"),
        ("a bold sub-heading", r"^\*\*[^*]+\*\*$"),
        ("an in-body image stored in the archive", r"!\[[^\]]*\]\((\.\./)+images/"),
        ("an in-body image's caption, a paragraph of its own", r"^!\[[^\]]*\]\([^)]+\)\n\n\*\S"),
        ("an image with a hard line break after it", r"^!\[[^\]]*\]\([^)]+\)\\\n\S"),
        ("an embedded video as a link", r"^\[▶ https://"),
        ("an inline tag link", r"\]\(\.\./\.\./\.\./\.\./tags/"),
        ("a featured image stored in the archive", r"^!\[[^\]]*\]\(\.\./\.\./\.\./\.\./images/"),
    ],
)
def test_the_golden_set_keeps_its_shapes(shape, pattern):
    having = [s for s, body in _bodies().items() if re.search(pattern, body, re.MULTILINE)]
    assert having, f"no golden article has {shape} any more: the set lost its variety"


def test_the_golden_set_keeps_its_records_varied():
    records = _records()
    assert any(r["featured_image"] is None for r in records.values()), "no featured image"
    assert any(
        r["featured_image"] and r["featured_image"]["caption"] is None for r in records.values()
    ), "a featured image without caption"
    assert any(not r["tags"] for r in records.values()), "no tags"
    credits = {
        (len(r["authors"]), r["editor"] is not None, r["source"] is not None)
        for r in records.values()
    }
    for form, what in [
        ((1, True, False), "reporter and editor"),
        ((2, True, False), "two reporters and an editor"),
        ((0, True, False), "editor only"),
        ((0, True, True), "转自 a source, and an editor"),
        ((0, False, False), "no credit at all"),
    ]:
        assert form in credits, f"no golden article has the credit form: {what}"
    texts = [r["text"] for r in records.values()]
    assert any(re.search(r"^采访/\S+ 编辑/", t, re.MULTILINE) for t in texts), "video credit"
    assert any("／责任编辑" in t for t in texts), "a credit with a full-width slash"


def test_golden_files_read_like_the_real_site():
    for name, text in golden.golden_files().items():
        assert "127.0.0.1" not in text and "localhost" not in text, name
        assert golden.SITE_PLACEHOLDER + "/gb/" in text, name
