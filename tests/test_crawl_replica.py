"""End-to-end: real crawls of the replica (every fault on) over real HTTP, in a subprocess."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from tests.conftest import crawl, run_scrapy, stats_of
from tests.site.images import make_image
from tests.site.model import SiteModel, parse_faults
from tests.site.render import image_url

START, END = "2021-06-20", "2021-06-29"
MODEL = SiteModel(dt.date(2021, 6, 20), 10, 30, parse_faults("all"))
BAD_IMAGE_FAULTS = {"missing", "not-image", "truncated"}
LINK_RE = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)")


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _shown(text: str | None) -> str | None:
    """Text as a browser shows it: runs of white space collapsed."""
    return " ".join(text.split()) or None if text else None


def _snapshot(archive: Path) -> dict[str, tuple[int, str]]:
    return {
        str(p.relative_to(archive)): (
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in archive.rglob("*")
        if p.is_file() and ".state" not in p.parts
    }


def _expected_articles():
    return {a.id: a for a in MODEL.all_articles("gb") if not MODEL.is_gone(a)}


@pytest.fixture(scope="module")
def first_run(faulty_site, tmp_path_factory):
    base = tmp_path_factory.mktemp("first")
    archive, feed = base / "archive", base / "run1.jsonl"
    result = crawl(faulty_site.url, archive, "-a", f"start={START}", "-a", f"end={END}", feed=feed)
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    return archive, records, result


@pytest.fixture(scope="module")
def second_run(first_run, faulty_site, tmp_path_factory):
    archive, _, _ = first_run
    before = _snapshot(archive)
    already_requested = len(faulty_site.requested_paths())
    feed = tmp_path_factory.mktemp("second") / "run2.jsonl"
    result = crawl(faulty_site.url, archive, "-a", f"start={START}", "-a", f"end={END}", feed=feed)
    assert result.returncode == 0, result.stderr[-3000:]
    requested = faulty_site.requested_paths()[already_requested:]
    return before, _snapshot(archive), requested, feed.read_text("utf-8"), result


def test_every_fetchable_article_is_archived_once(first_run):
    archive, records, result = first_run
    expected = _expected_articles()
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "an article was exported twice"
    assert set(ids) == set(expected)
    files = [p for p in (archive / "gb").rglob("a*.md")]
    assert len(files) == len(expected)
    stats = stats_of(result.stderr)
    assert stats["ntd/articles/new"] == len(expected)
    gone = [a for a in MODEL.all_articles("gb") if MODEL.is_gone(a)]
    assert gone, "the replica should have listed-but-gone articles"
    assert stats["ntd/articles/failed"] == len(gone)
    for article in gone:
        assert (
            f"Article failed: {faulty_site_url(result)}{article.path} (HTTP 404)" in result.stderr
        )


def faulty_site_url(result) -> str:
    return re.search(r"(http://127\.0\.0\.1:\d+)/gb/", result.stderr)[1]


def test_fields_match_the_replica(first_run):
    archive, records, result = first_run
    expected = _expected_articles()
    site = faulty_site_url(result)
    image_base = site.replace("127.0.0.1", "localhost")
    for record in records:
        article = expected[record["id"]]
        source = article.source
        assert record["url"] == f"{site}{article.path}"
        assert record["lang"] == "gb"
        assert record["title"] == _shown(article.title)
        assert record["published"] == article.beijing_time.isoformat()
        assert record["published"].endswith("+08:00")
        assert record["section"] == article.section_name
        assert [t["name"] for t in record["tags"]] == [t["name"] for t in source["tags"]]
        assert [unquote(urlsplit(t["url"]).path) for t in record["tags"]] == [
            urlsplit(t["url"]).path for t in source["tags"]
        ]
        assert _no_space(record["text"]) == _no_space(source["body_text"]), record["id"]
        assert record["path"] == f"gb/{article.date:%Y/%m/%d}/{article.id}.md"
        assert record["markdown"] in (archive / record["path"]).read_text("utf-8")
        # The corpus keeps the credit only when it is the last paragraph; the crawler also
        # finds it above trailing "相关链接" lines, so check against the whole body too
        credit = source.get("credit") or ""
        if "责任编辑" in credit:
            assert record["editor"] and record["editor"] in credit
        for name in [*record["authors"], record["editor"] or ""]:
            assert f"{name}" in source["body_text"].split("\n\n")[-1] or name in "".join(
                b for b in source["body_text"].split("\n\n")[-6:] if "编辑" in b or "报导" in b
            ), (record["id"], name)
        image = source.get("featured_image")
        if not image:
            assert record["featured_image"] is None
            continue
        got = record["featured_image"]
        assert got["url"] == image_url(image_base, image["src"])
        assert got["alt"] == _shown(image["alt"])
        assert got["caption"] == _shown(image["caption"])
        name = posixpath.basename(urlsplit(got["url"]).path)
        if MODEL.image_fault(name) in BAD_IMAGE_FAULTS:
            assert got["path"] is None
        else:
            assert got["path"] and (archive / got["path"]).is_file()


def _pictures(record: dict) -> list[dict]:
    """Every picture an article shows: its featured image and those in its body."""
    featured = [record["featured_image"]] if record["featured_image"] else []
    return featured + record["images"]


def test_pictures_are_the_original_bytes(first_run):
    archive, records, _ = first_run
    stored = {p["path"]: p["url"] for r in records for p in _pictures(r) if p["path"]}
    in_body = {i["path"] for r in records for i in r["images"] if i["path"]}
    assert len(stored) > 50 and len(in_body) > 50
    huge_seen = False
    for path, url in stored.items():
        name = posixpath.basename(urlsplit(url).path)
        huge = MODEL.image_fault(name) == "huge"
        huge_seen |= huge
        assert (archive / path).read_bytes() == make_image(name, huge=huge), path
    assert huge_seen, "the replica should serve a very large image"
    on_disk = {str(p.relative_to(archive)) for p in (archive / "images").rglob("*") if p.is_file()}
    assert on_disk == set(stored), "orphan or missing image files"
    for record in records:
        # The body shows each stored picture from the archive, each failed one from the site
        for image in record["images"]:
            local = (
                posixpath.relpath(image["path"], posixpath.dirname(record["path"]))
                if image["path"]
                else None
            )
            assert f"]({local or image['url']})" in record["markdown"], record["id"]
        assert (archive / record["path"]).read_text("utf-8").count(record["markdown"]) == 1


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


def test_every_page_is_valid_and_every_relative_link_resolves(first_run):
    archive, records, _ = first_run
    pages = [p for p in archive.rglob("*.md") if ".state" not in p.parts]
    assert len(pages) > len(records)
    for page in pages:
        text = page.read_text("utf-8")
        rel = page.relative_to(archive)
        assert "<script" not in text.lower() and "javascript:" not in text.lower(), rel
        if str(rel) != "README.md":
            assert text.split("\n---\n", 1)[-1].lstrip().startswith("[首页]("), rel
        for target in LINK_RE.findall(text):
            if target.startswith(("http://", "https://")):
                continue
            assert "://" not in target and not target.startswith("/"), (rel, target)
            resolved = (page.parent / unquote(target)).resolve()
            assert archive.resolve() in resolved.parents, (rel, target)
            assert resolved.is_file(), (rel, target)
    for record in records:
        meta = _front_matter((archive / record["path"]).read_text("utf-8"))
        assert meta["title"] == record["title"]
        assert meta["id"] == record["id"]
        assert meta["published"] == record["published"]
        assert meta["tags"] == [t["name"] for t in record["tags"]]
        if record["featured_image"] and record["featured_image"]["path"]:
            assert meta["image"].endswith(record["featured_image"]["path"])


def test_index_pages_list_every_article(first_run):
    archive, records, _ = first_run
    home = (archive / "README.md").read_text("utf-8")
    assert f"{len(records)} articles archived" in home
    tag_link = re.compile(r"\]\((\.\./\.\./\.\./\.\./tags/[^)]+)\)")
    section_link = re.compile(r"\]\((\.\./\.\./\.\./\.\./sections/[^)]+)\)")
    for record in records:
        article_file = archive / record["path"]
        text = article_file.read_text("utf-8")
        day_page = (article_file.parent / "README.md").read_text("utf-8")
        assert f"]({record['id']}.md)" in day_page
        # Each tag page the article links to, and its section page, list its month, whose
        # page links back to it
        pages = set(tag_link.findall(text)) | set(section_link.findall(text))
        assert len(pages) == len(record["tags"]) + 1
        for page in pages:
            own_page = (article_file.parent / unquote(page)).resolve()
            assert "[2021-06](2021-06.md)" in own_page.read_text("utf-8")
            listing = (own_page.parent / "2021-06.md").read_text("utf-8")
            to_root = "../" * (len(own_page.relative_to(archive.resolve()).parts) - 1)
            assert f"]({to_root}{record['path']})" in listing, (record["id"], page)
    assert "[06](gb/2021/06/README.md) " in home
    month = (archive / "gb/2021/06/README.md").read_text("utf-8")
    day_counts = [int(n) for n in re.findall(r"\]\(\d\d/README\.md\) \((\d+)\)", month)]
    assert sum(day_counts) == len(records)
    assert not (archive / "gb/2021/06/22").exists(), "the empty day has no page"


def test_second_run_fetches_no_archived_article_and_rewrites_nothing(first_run, second_run):
    before, after, requested, feed, result = second_run
    gone = {a.path for a in MODEL.all_articles("gb") if MODEL.is_gone(a)}
    article_requests = {p for p in requested if p.endswith(".html")}
    assert article_requests == gone, "only the articles that failed are tried again"
    # Only the pictures that failed are tried again (and fail again)
    _, records, _ = first_run
    failed_images = {
        urlsplit(p["url"]).path for r in records for p in _pictures(r) if not p["path"]
    }
    assert failed_images
    assert all(
        MODEL.image_fault(posixpath.basename(path)) in BAD_IMAGE_FAULTS for path in failed_images
    )
    assert {p for p in requested if p.startswith("/assets/")} == failed_images
    assert after == before, "files were rewritten"
    assert feed == ""
    assert stats_of(result.stderr)["ntd/articles/already_archived"] == len(_expected_articles())


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["-a", "start=2021-02-30"], "start"),
        (["-a", "start=2021-06-02", "-a", "end=2021-06-01"], "start"),
        (["-a", "lang=en"], "lang"),
        (["-a", "days=0"], "days"),
        (["-a", "days=two"], "days"),
        (["-a", "refresh=maybe"], "refresh"),
    ],
)
def test_bad_argument_stops_the_run_with_one_line(tmp_path, args, named):
    result = run_scrapy(
        "crawl", "ntd", *args, "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}",
        "-s", "SITE_URL=http://127.0.0.1:9", "-O", str(tmp_path / "out.jsonl"),
    )  # fmt: skip
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"{named}=" in errors[0], result.stderr[-500:]
    assert not (tmp_path / "archive").exists()
    assert not (tmp_path / "out.jsonl").exists()


def test_export_writes_the_archive_for_a_date_range(first_run, tmp_path):
    archive, records, _ = first_run
    out = tmp_path / "export.jsonl"
    result = run_scrapy(
        "export", str(out), "--start", "2021-06-21", "--end", "2021-06-23",
        "-s", f"ARCHIVE_DIR={archive}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    exported = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    expected = {r["id"]: r for r in records if "2021/06/21" <= r["path"][3:13] <= "2021/06/23"}
    assert {r["id"] for r in exported} == set(expected)
    for record in exported:
        assert record == expected[record["id"]]


def test_b5_articles_are_archived_under_b5(faulty_site, tmp_path):
    archive, feed = tmp_path / "archive", tmp_path / "b5.jsonl"
    result = crawl(faulty_site.url, archive, "-a", "start=2021-06-20", "-a", "lang=b5", feed=feed)
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    expected = {a.id for a in MODEL.articles_on("b5", dt.date(2021, 6, 20)) if not MODEL.is_gone(a)}
    assert {r["id"] for r in records} == expected
    for record in records:
        assert record["lang"] == "b5" and record["path"].startswith("b5/2021/06/20/")
        assert "/b5/2021/06/20/" in record["url"]
    assert (archive / "b5/2021/06/20/README.md").is_file()
