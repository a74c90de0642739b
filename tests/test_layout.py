"""The archive's layout at a decade's size (docs/archive.md, "Layout"): folder and page limits
over a large archive made without crawling, and the in-place upgrade of an archive made by the
previous layout's code."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.archive.indexes import rebuild_stale_pages
from crawler.archive.records import content_hash, stored_json
from crawler.archive.store import ArchiveStore
from tests.conftest import FAST, archive_tree, crawl, exported
from tests.site.replica import PROJECT_ROOT, Replica

MAX_ENTRIES = 1000
MAX_PAGE_BYTES = 500_000
# The last commit whose archive has the first layout (tags/<name>.md, unsharded images)
LAYOUT_1_COMMIT = "653d393"


def _large_store(archive: Path, articles: int, seed: int = 7) -> None:
    """An archive's store with `articles` records over a year, and a realistic tag spread: one
    tag on ~10 % of the articles, a few hundred common ones, thousands used once."""
    rng = random.Random(seed)
    store = ArchiveStore.in_archive(archive)
    sections = ["中国时局", "大陆新闻", "国际新闻", "美国新闻", "财经新闻", "港澳台"]
    common = [f"常用标签{i}" for i in range(400)]
    first = dt.date(2020, 1, 1)
    for n in range(articles):
        day = first + dt.timedelta(days=n * 365 // articles)
        article_id = f"a{200000000 + n}"
        tags = ["习近平"] if rng.random() < 0.1 else []
        tags += rng.sample(common, rng.randint(0, 3))
        if rng.random() < 0.3:
            tags.append(f"一次性标签{n}")
        record = {
            "id": article_id,
            "url": f"https://www.ntdtv.com/gb/{day:%Y/%m/%d}/{article_id}.html",
            "lang": "gb",
            "title": f"标题 {n}：一篇相当长的新闻标题，与真实标题的长度相仿",
            "published": f"{day}T{n % 24:02d}:{n % 60:02d}:00+08:00",
            "modified": None,
            "section": rng.choice(sections),
            "authors": [],
            "editor": None,
            "source": None,
            "tags": [{"name": t, "url": f"https://www.ntdtv.com/gb/{t}.htm"} for t in tags],
            "featured_image": None,
            "images": [],
            "text": "正文",
            "markdown": "正文",
            "path": f"gb/{day:%Y/%m/%d}/{article_id}.md",
        }
        store.save(record, day.isoformat(), content_hash(record), stored_json(record))
    store.commit()
    rebuild_stale_pages(store, archive)
    store.close()


def test_a_large_archive_keeps_every_folder_and_page_within_the_limits(tmp_path):
    archive = tmp_path / "archive"
    _large_store(archive, 100_000)
    folders = [archive, *(p for p in archive.rglob("*") if p.is_dir() and ".state" not in p.parts)]
    biggest = max(folders, key=lambda f: len(os.listdir(f)))
    assert len(os.listdir(biggest)) <= MAX_ENTRIES, biggest
    pages = [p for p in archive.rglob("*.md") if ".state" not in p.parts]
    largest = max(pages, key=lambda p: p.stat().st_size)
    assert largest.stat().st_size <= MAX_PAGE_BYTES, largest
    # The busiest tag (~10,000 articles over a year) is paged by month, in parts past 1,000
    tag_pages = list(archive.glob("tags/*/习近平/*.md"))
    assert len(tag_pages) >= 13
    # Every tag has its page, reachable from its shard's list
    shard_lists = list(archive.glob("tags/*/README.md"))
    listed = sum(p.read_text("utf-8").count("\n- [") for p in shard_lists)
    assert listed == len(list(archive.glob("tags/*/*/README.md"))) > 30_000
    home = (archive / "README.md").read_text("utf-8")
    # The year -> month index: a link to each of the twelve months, not to every day
    assert len(re.findall(r"\]\(gb/2020/\d\d/README\.md\)", home)) == 12
    assert not re.search(r"\]\(gb/2020/\d\d/\d\d/README\.md\)", home)
    assert len(home.encode()) < 50_000


def test_sorts_of_the_whole_archive_stay_out_of_memory_while_saves_batch(tmp_path):
    """A batch of saves keeps each save's savepoint journal in memory; the connection's other
    temporary storage (an export's sort of every record) must stay on disk."""
    _large_store(tmp_path, 3)
    store = ArchiveStore.in_archive(tmp_path)
    record = store.record("a200000001")
    store.save({**record, "title": "改过的标题"}, "2020-01-01", "changed", stored_json(record))
    assert store.db.in_transaction  # the batch is open
    assert store.db.execute("PRAGMA temp_store").fetchone()[0] == 0  # DEFAULT: files
    store.close()


def _crawl(tree: Path, site_url: str, archive: Path, **env: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "scrapy", "crawl", "ntd", "-a", "start=2021-06-20",
        "-a", "end=2021-06-23", "-s", f"SITE_URL={site_url}", "-s", f"ARCHIVE_DIR={archive}",
        *FAST,
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(tree), **env}
    return subprocess.run(command, cwd=tree, env=environment, capture_output=True, text=True)


@pytest.fixture(scope="module")
def layout_1_code(tmp_path_factory) -> Path:
    """The crawler as it was with the first layout, from this repository's history."""
    tree = tmp_path_factory.mktemp("layout-1-code")
    archive = subprocess.run(
        ["git", "archive", LAYOUT_1_COMMIT], cwd=PROJECT_ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


@pytest.mark.parametrize("killed", [False, True], ids=["whole", "killed-then-finished"])
def test_an_archive_of_the_first_layout_upgrades_in_place(layout_1_code, tmp_path, killed):
    with Replica(
        "--start", "2021-06-20", "--days", "4", "--per-day", "30", "--faults", "all"
    ) as s:  # fmt: skip
        fresh = tmp_path / "fresh"
        assert _crawl(PROJECT_ROOT, s.url, fresh).returncode == 0
        old = tmp_path / "old"
        made = _crawl(layout_1_code, s.url, old)
        assert made.returncode == 0, made.stderr[-2000:]
        assert list(old.glob("tags/*.md")) and list(old.glob("images/2*/*/*.jpg"))
        articles_before = len(s.requested_paths())
        if killed:
            result = _crawl(PROJECT_ROOT, s.url, old, NTD_CRASH_AT="upgrade:article:40")
            assert result.returncode == -9
        upgraded = _crawl(PROJECT_ROOT, s.url, old)
        assert upgraded.returncode == 0, upgraded.stderr[-2000:]
        assert "Archive upgraded: 86 articles rewritten" in upgraded.stderr
        fetched = [p for p in s.requested_paths()[articles_before:] if p.endswith(".html")]
    # Nothing fetched again but the articles that were never archived (the replica's 404s)
    report = json.loads((fresh / ".state/last-run.json").read_text("utf-8"))
    gone = {urlsplit(f["url"]).path for f in report["failed"]}
    assert gone and set(fetched) == gone
    # No page of the old layout is left, and the archive is the one a new crawl makes
    assert not list(old.glob("tags/*.md"))[1:] and not list(old.glob("sections/*.md"))[1:]
    assert archive_tree(old) == archive_tree(fresh)
    assert exported(old) == exported(fresh)


def test_links_between_articles_stay_in_the_mirror(tmp_path):
    """The first story of each day links to the first of the next day and of the day before:
    inside the crawled range the link leads to the article's file (also when the linked
    article is archived after the one that links to it), outside it stays at the site."""
    archive = tmp_path / "archive"
    with Replica(
        "--start", "2021-06-20", "--days", "4", "--per-day", "5", "--faults", "crosslinks"
    ) as s:
        result = crawl(s.url, archive, "-a", "start=2021-06-20", "-a", "end=2021-06-22")
        assert result.returncode == 0, result.stderr[-2000:]
        by_day = {r["path"][3:13]: r for r in exported(archive) if r["id"].endswith("000")}
        first, middle, last = (by_day[d] for d in ("2021/06/20", "2021/06/21", "2021/06/22"))
        # 06-21 links to 06-22 (archived later in the run) and to 06-20 (archived before)
        for record, linked in ((middle, last), (middle, first), (first, middle)):
            local = f"](../{linked['path'][11:]})"
            assert local in record["markdown"], (record["id"], linked["id"])
            assert local in (archive / record["path"]).read_text("utf-8")
        # 06-22 links to 06-23, which this range does not archive: the site's address
        assert f"]({s.url}/gb/2021/06/23/" in last["markdown"]
        # A later run that archives 06-23 makes that link local, and changes nothing else
        again = crawl(s.url, archive, "-a", "start=2021-06-23")
        assert again.returncode == 0, again.stderr[-2000:]
    last_now = next(r for r in exported(archive) if r["id"] == last["id"])
    assert (
        "](../23/a" in last_now["markdown"]
        and f"]({s.url}/gb/2021/06/23/" not in last_now["markdown"]
    )
    report = json.loads((archive / ".state/last-run.json").read_text("utf-8"))
    assert report["articles"]["updated"] == 0
