"""Hostile and broken input (tests/site/hostile.py): every case served by the replica over
real HTTP in one crawl; the run finishes, the good articles are archived, each bad one is
logged and counted with its address and reason, and nothing is written outside the archive."""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml
from PIL import Image

from tests.conftest import crawl, stats_of
from tests.site.hostile import (
    CASES,
    HOSTILE_LISTING_HREFS,
    HOSTILE_TAGS,
    HOSTILE_TITLE,
    IMAGE_OUTCOMES,
)
from tests.site.model import SiteModel, parse_faults
from tests.site.replica import Replica

MODEL = SiteModel.from_args("2021-06-20", 1, 1, parse_faults("hostile"))
ARTICLES = {a.case.name: a for a in MODEL.hostile_articles()}
LIMITS = [
    "-s", "DOWNLOAD_TIMEOUT=3",  # the stalled page
    "-s", "IMAGES_TIMEOUT=2",  # the image that never comes
    "-s", "IMAGES_MAX_BYTES=1000000",  # the enormous image
    "-s", "RETRY_TIMES=1",
]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    box = tmp_path_factory.mktemp("box")
    archive, feed = box / "archive", box / "run.jsonl"
    with Replica("--days", "1", "--faults", "hostile") as site:
        # The user's home is inside the box too: nothing may be written there either
        home = box / "home"
        result = crawl(site.url, archive, "-a", "start=2021-07-01", *LIMITS, feed=feed, home=home)
    records = {r["id"]: r for r in map(json.loads, feed.read_text("utf-8").splitlines())}
    report = json.loads((archive / ".state/last-run.json").read_text("utf-8"))
    return box, archive, records, report, result


def _record(records, case: str) -> dict:
    return records[ARTICLES[case].id]


def test_the_run_finishes_and_archives_exactly_the_good_articles(hostile_run):
    _, _, records, report, result = hostile_run
    assert result.returncode == 0, result.stderr[-2000:]
    archived = {c.name for c in CASES if c.outcome == "archived"}
    assert {name for name, a in ARTICLES.items() if a.id in records} == archived
    assert report["status"] == "ok"
    assert report["articles"]["new"] == len(archived)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.outcome != "archived"], ids=lambda c: c.name
)
def test_each_bad_article_is_logged_and_counted_with_its_reason(hostile_run, case):
    _, _, records, report, result = hostile_run
    url = re.search(r"(http://127\.0\.0\.1:\d+)/", result.stderr)[1] + ARTICLES[case.name].path
    failures = {f["url"]: f["reason"] for f in report["failed"]}
    assert url in failures, case.name
    assert url in result.stderr
    reason = failures[url]
    expected = {
        "no_title": "the page has no title",
        "no_body": "the page has no body",
        "empty_body": "the page has no body",
        "huge_page": "larger than download max size",
        "redirect_offsite": "redirected off the site",
        "redirect_loop": "max redirections reached",
        "status_500": "HTTP 500",
        "connection_reset": "DownloadFailedError",
        "stall_mid_body": "timed out after 3 s",
        "robots_disallowed": "Forbidden by robots.txt",
    }[case.name]
    assert expected in reason
    day = report["days"][0]
    assert ARTICLES[case.name].id in day["missing"]


def test_page_level_damage_keeps_what_can_be_kept(hostile_run):
    _, _, records, _, result = hostile_run
    assert _record(records, "truncated_html")["text"] == "第一段正文。"
    no_time = _record(records, "no_time")
    assert no_time["published"] == ARTICLES["no_time"].beijing_time.isoformat()  # from JSON-LD
    assert _record(records, "bad_time")["published"] is None
    assert "has no publication time" in result.stderr
    assert _record(records, "no_featured")["featured_image"] is None
    assert _record(records, "gbk_header")["title"] == "中文标题：国家统计局"
    assert "第二段正文，含正常标签。" in _record(records, "gbk_header")["text"]
    assert _record(records, "big5_meta")["title"] == "繁體標題：美國國會"
    assert _record(records, "big5_meta")["text"].startswith("繁體中文內容。")
    assert "第一段\ufffd" in _record(records, "broken_encoding")["text"]
    assert "第二段正文" in _record(records, "broken_encoding")["text"]


def test_pagination_loop_and_hostile_listing_links_are_harmless(hostile_run):
    _, _, _, _, result = hostile_run
    stats = stats_of(result.stderr)
    assert stats["ntd/archive_pages/loop"] == 1
    assert stats["ntd/archive_pages/parsed"] == 2
    assert stats["ntd/listing/not_an_article"] == len(HOSTILE_LISTING_HREFS)


def test_nothing_is_written_outside_the_archive(hostile_run):
    box, archive, _, _, _ = hostile_run
    outside = [p for p in box.rglob("*") if archive not in p.parents and p != archive]
    assert [p.name for p in outside] == ["run.jsonl"]
    for path in archive.rglob("*"):
        rel = path.relative_to(archive).as_posix()
        assert ".." not in rel.split("/") and "\\" not in rel and "\x00" not in rel


def test_hostile_names_get_distinct_safe_pages(hostile_run):
    _, archive, records, _, _ = hostile_run
    record = _record(records, "hostile_names")
    assert [t["name"] for t in record["tags"]] == HOSTILE_TAGS
    text = (archive / record["path"]).read_text("utf-8")
    targets = re.findall(r"\]\((\.\./\.\./\.\./\.\./tags/[^)]+)\)", text)
    assert len(targets) == len(set(targets)) == len(HOSTILE_TAGS), "two tags share a page"
    folders = set()
    for target in targets:
        page = ((archive / record["path"]).parent / target).resolve()
        # tags/<shard>/<safe name>/README.md
        assert page.name == "README.md" and page.is_file()
        assert page.parent.parent.parent == (archive / "tags").resolve()
        assert not page.parent.name.startswith(".") and len(page.parent.name.encode()) < 160
        folders.add(page.parent.name)
    assert len(folders) == len(HOSTILE_TAGS)
    assert not {"CON", "con", "README"} & folders
    assert unicodedata.normalize("NFC", "café") in folders
    assert record["section"] == "../../外部/栏目"
    sections = (archive / "sections").resolve()
    assert all(
        p.resolve().parent.parent == sections for p in archive.rglob("*.md") if "外部" in str(p)
    )
    assert record["featured_image"]["path"].startswith("images/other/")


def _front_matter(text: str) -> dict:
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


def test_active_content_is_dropped_and_front_matter_stays_valid(hostile_run):
    _, archive, records, _, _ = hostile_run
    record = _record(records, "hostile_content")
    title = " ".join(HOSTILE_TITLE.split())
    assert record["title"] == title
    text = (archive / record["path"]).read_text("utf-8")
    # The title is kept as the site wrote it: in the front matter as YAML data
    assert _front_matter(text)["title"] == title
    markdown = text.split("\n---\n", 1)[1]
    lowered = markdown.lower()
    for active in (
        "<script",
        "<style",
        "<iframe",
        "onclick",
        "onerror",
        "onmouseover",
        "data:text",
    ):
        assert active not in lowered, active
    # "javascript:" survives only as escaped text, never as a link target
    assert not re.search(r"(?<!\\)\]\((?:javascript|vbscript|data):", markdown)
    assert "\\[链接\\](javascript:alert(1))" in markdown
    assert "注释" not in text
    for kept in (
        "开头文字",
        "点我",
        "数据",
        "a\\|b",
        "1 \\| 2",
        "\\# 不是标题",
        "&lt;script\\>alert(2)",
    ):
        assert kept in text, kept
    assert "[▶ https://www.youtube.com/embed/x1](https://www.youtube.com/embed/x1)" in text
    assert record["featured_image"]["caption"] == "图片说明 | 含*符号* 第二行"
    assert "*图片说明 \\| 含\\*符号\\* 第二行*" in text
    heading = "# --- # 标题: \\[链接\\](javascript:alert(1)) \\| \\*粗\\* &lt;script\\>alert(1)&lt;/script\\>"
    assert f"\n{heading}\n" in text


@pytest.mark.parametrize(("name", "outcome"), sorted(IMAGE_OUTCOMES.items()))
def test_images_are_stored_or_refused(hostile_run, name, outcome):
    _, archive, records, report, _ = hostile_run
    record = next(
        r
        for r in records.values()
        if r["featured_image"] and r["featured_image"]["url"].endswith(name)
    )
    path = record["featured_image"]["path"]
    failures = {f["url"]: f["reason"] for f in report["images"]["failures"]}
    if outcome == "stored":
        assert path and (archive / path).is_file()
        with Image.open(io.BytesIO((archive / path).read_bytes())) as image:
            image.verify()
    else:
        assert path is None
        reason = failures[record["featured_image"]["url"]]
        expected = {
            "bomb-800x450.png": "image too large",
            "enormous-800x450.jpg": "max size",
            "stall-800x450.jpg": "timed out after 2 s",
        }[name]
        assert expected in reason
        assert not any(
            Path(p).name.startswith(name[:5]) for p in map(str, (archive / "images").rglob("*"))
        )


def test_a_rerun_over_the_day_with_its_broken_pages_is_done(hostile_run, tmp_path):
    """The pages that are not articles (no title, no body, 500…) are asked for again by every
    run over their day, while the others are archived: an ordinary re-run is 'ok', exit 0,
    not 'the site changed' nor 'failed'."""
    box, archive, records, _, _ = hostile_run
    again = tmp_path / "archive"
    subprocess.run(["cp", "-a", str(archive), str(again)], check=True)
    with Replica("--days", "1", "--faults", "hostile") as site:
        result = crawl(site.url, again, "-a", "start=2021-07-01", *LIMITS)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((again / ".state/last-run.json").read_text("utf-8"))
    assert report["status"] == "ok" and report["articles"]["already_archived"] == len(records)
    assert report["articles"]["failed"] > 0 and report["articles"]["new"] == 0
