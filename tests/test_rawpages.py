"""The pages as fetched (WARC): captured by a real crawl of the replica, repaired after a kill,
re-extracted with the replica stopped, packaged as a WACZ that `wacz validate` accepts."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.rawpages.warcfiles import WRITING_LIST, raw_pages_dir, whole_records_length
from tests.conftest import FAST, archive_tree, crawl, exported, run_scrapy, stats_of
from tests.site.replica import PROJECT_ROOT, Replica

START, END = "2021-06-01", "2021-06-03"
SITE = ("--start", START, "--days", "3", "--per-day", "10")


def _records(path: Path) -> list:
    with open(path, "rb") as file:
        return [
            (r.rec_type, dict(r.rec_headers.headers), r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(file)
        ]


def _day_files(archive: Path) -> list[Path]:
    return sorted(raw_pages_dir(archive).rglob("*.warc.gz"))


def _files_with_times(archive: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(archive)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in archive.rglob("*")
        if p.is_file() and ".state" not in p.parts
    }


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """A crawl of three days; the replica is stopped once it is done."""
    archive = tmp_path_factory.mktemp("captured") / "archive"
    with Replica(*SITE) as site:
        result = crawl(site.url, archive, "-a", f"start={START}", "-a", f"end={END}")
        assert result.returncode == 0, result.stderr[-3000:]
        requested = site.requested_paths()
        url = site.url
    return archive, url, requested, result


def test_every_listing_and_article_response_is_captured(captured):
    archive, url, requested, _ = captured
    files = _day_files(archive)
    assert [f.relative_to(raw_pages_dir(archive)).as_posix() for f in files] == [
        "gb/2021/06/01.warc.gz",
        "gb/2021/06/02.warc.gz",
        "gb/2021/06/03.warc.gz",
    ]
    responses, requests = {}, {}
    for path in files:
        data = path.read_bytes()
        records = _records(path)
        # One gzip member per record: each member alone is a whole record
        assert data.count(b"\x1f\x8b\x08") >= len(records)
        assert records[0][0] == "warcinfo"
        for kind, headers, http, body in records:
            assert headers["WARC-Date"].endswith("Z") and "." in headers["WARC-Date"]
            if kind == "response":
                responses[headers["WARC-Record-ID"]] = (headers["WARC-Target-URI"], http, body)
            elif kind == "request":
                requests[headers["WARC-Concurrent-To"]] = (headers["WARC-Target-URI"], http)
        assert gzip.decompress(data).startswith(b"WARC/1.1\r\n")
    # Each response has its request, with the headers Scrapy sent
    assert set(requests) == set(responses)
    for record_id, (target, http) in requests.items():
        assert responses[record_id][0] == target
        assert http.protocol == "GET" and http.get_header("User-Agent").startswith("ntd-archive/")
    pages = {path for path in requested if path.startswith("/gb/")}
    captured_paths = {target.removeprefix(url) for target, _, _ in responses.values()}
    # every listing and article page the replica served (robots.txt and images are not pages)
    assert pages and pages <= captured_paths
    for _, http, body in responses.values():
        if http.get_statuscode() == "200":
            assert body.startswith(b"<!DOCTYPE html>")


def test_capture_is_off_with_raw_pages_false(tmp_path):
    with Replica("--start", START, "--days", "1", "--per-day", "5") as site:
        result = crawl(site.url, tmp_path / "a", "-a", f"start={START}", "-s", "RAW_PAGES=false")
    assert result.returncode == 0, result.stderr[-3000:]
    assert not raw_pages_dir(tmp_path / "a").exists()
    assert len(exported(tmp_path / "a")) == 5


@pytest.mark.parametrize("processes", ["1", "2"])
def test_reextract_with_the_site_stopped_changes_nothing(captured, tmp_path, processes):
    source, url, _, _ = captured
    archive = tmp_path / "archive"
    shutil.copytree(source, archive)
    before_tree, before_times = archive_tree(archive), _files_with_times(archive)
    before_records = exported(archive)
    result = run_scrapy(
        "reextract", "--processes", processes,
        "-s", f"ARCHIVE_DIR={archive}", "-s", f"SITE_URL={url}", "-s", "LOG_LEVEL=INFO",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    stats = stats_of(result.stderr)
    assert stats.get("downloader/request_count", 0) == 0
    assert stats["ntd/reextract/pages"] == len(before_records) == 30
    assert stats["ntd/articles/unchanged"] == 30
    assert result.stdout == ""
    assert "0 articles changed" in result.stderr
    assert archive_tree(archive) == before_tree
    assert _files_with_times(archive) == before_times
    assert exported(archive) == before_records


def _reextract_with_changed_title_rule(archive: Path, url: str, char: str, tmp_path: Path):
    """`scrapy reextract` in which the loader's title rule marks every `char` (the rule is
    patched in every process, worker processes included, through sitecustomize)."""
    patch = tmp_path / "patch"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text(
        "import os\n"
        "from itemloaders.processors import MapCompose\n"
        "from crawler.site import loaders as L\n"
        "char = os.environ['TEST_TITLE_CHAR']\n"
        "L.ArticleLoader.title_in = MapCompose(\n"
        "    L.normalize_space, L.strip_title_suffix, L.normalize_space,\n"
        "    lambda title: title.replace(char, f'[{char}]'),\n"
        ")\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{patch}{os.pathsep}{PROJECT_ROOT}",
        "TEST_TITLE_CHAR": char,
    }
    command = ["reextract", "--start", START, "--end", END, "--processes", "2"]
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *command, "-s", f"ARCHIVE_DIR={archive}"]
        + ["-s", f"SITE_URL={url}"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_changed_extraction_rule_rewrites_exactly_the_affected_articles(captured, tmp_path):
    source, url, _, _ = captured
    archive = tmp_path / "archive"
    shutil.copytree(source, archive)
    before = {r["id"]: r for r in exported(archive)}
    before_tree = archive_tree(archive)
    # A character in some titles, not in all
    counts = Counter(c for r in before.values() for c in set(r["title"]))
    char = next(c for c, n in counts.most_common() if n <= len(before) // 2)
    affected = {i for i, r in before.items() if char in r["title"]}
    assert 0 < len(affected) < len(before)

    result = _reextract_with_changed_title_rule(archive, url, char, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stats_of(result.stderr).get("downloader/request_count", 0) == 0
    reported = {line.split("\t")[1] for line in result.stdout.splitlines()}
    assert reported == {before[i]["url"] for i in affected}
    assert {line.split("\t")[0] for line in result.stdout.splitlines()} == {"updated"}

    after = {r["id"]: r for r in exported(archive)}
    for article_id, record in after.items():
        old = before[article_id]
        if article_id in affected:
            assert record["title"] == old["title"].replace(char, f"[{char}]")
            # A re-extraction is not a change on the site: the times stay
            assert (record["published"], record["modified"]) == (old["published"], old["modified"])
            assert {k: v for k, v in record.items() if k != "title"} == {
                k: v for k, v in old.items() if k != "title"
            }
        else:
            assert record == old
    after_tree = archive_tree(archive)
    changed = {path for path in after_tree if after_tree[path] != before_tree.get(path)}
    article_files = {p for p in changed if p.startswith("gb/") and not p.endswith("README.md")}
    assert article_files == {before[i]["path"] for i in affected}
    # The index pages that show those titles were rebuilt from the store
    assert {str(Path(before[i]["path"]).parent / "README.md") for i in affected} <= changed


def test_a_record_cut_by_a_kill_is_repaired_by_the_next_run(tmp_path):
    archive = tmp_path / "archive"
    with Replica("--start", START, "--days", "2", "--per-day", "10") as site:
        command = [
            sys.executable, "-m", "scrapy", "crawl", "ntd", "-a", f"start={START}",
            "-a", "end=2021-06-02", "-s", f"SITE_URL={site.url}", "-s", f"ARCHIVE_DIR={archive}",
            *FAST,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        killed = subprocess.run(
            command, env={**env, "NTD_CRASH_AT": "article-response:8"}, capture_output=True
        )
        assert killed.returncode == -signal.SIGKILL
        assert (raw_pages_dir(archive) / WRITING_LIST).exists()
        # What a power cut in the middle of a write leaves: the last record without its end
        cut_file = _day_files(archive)[-1]
        whole = cut_file.stat().st_size
        with open(cut_file, "r+b") as file:
            file.truncate(whole - 200)
        assert whole_records_length(cut_file) < whole - 200

        resumed = subprocess.run(command, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Raw pages: cut " in resumed.stderr
    assert not (raw_pages_dir(archive) / WRITING_LIST).exists()
    archived = {r["url"] for r in exported(archive)}
    assert len(archived) == 20
    stored_ok = set()
    for path in _day_files(archive):
        assert whole_records_length(path) == path.stat().st_size
        for kind, headers, http, _ in _records(path):  # every file reads to its end
            if kind == "response" and http.get_statuscode() == "200":
                stored_ok.add(headers["WARC-Target-URI"])
    assert archived <= stored_ok


def test_export_wacz_validates(captured, tmp_path):
    archive, _, _, _ = captured
    wacz = tmp_path / "out" / "ntd.wacz"
    result = run_scrapy(
        "export-wacz", str(wacz), "--start", START, "--end", "2021-06-02",
        "-s", f"ARCHIVE_DIR={archive}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    validated = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "Validation succeeded" in validated.stdout
    with zipfile.ZipFile(wacz) as package:
        names = set(package.namelist())
        assert {"datapackage.json", "pages/pages.jsonl", "indexes/index.cdx.gz"} <= names
        assert {"archive/ntd-gb-2021-06-01.warc.gz", "archive/ntd-gb-2021-06-02.warc.gz"} <= names
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
    titles = {r["url"]: r["title"] for r in exported(archive) if r["path"] < "gb/2021/06/03"}
    assert {p["url"]: p["title"] for p in pages[1:]} == titles
