"""What runs say about themselves, to cron and to people: exit statuses, unknown arguments,
resumed jobs and their JSON lines, readable reports, Redis errors, progress (README, "Exit
statuses" and "Run reports"). End to end on the replica."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FAST, crawl, exported, free_port, run_scrapy
from tests.site.replica import PROJECT_ROOT, Replica

RANGE = ["-a", "start=2021-06-20", "-a", "end=2021-06-23"]


@pytest.fixture(scope="module")
def site():
    with Replica("--start", "2021-06-20", "--days", "4", "--per-day", "30", "--faults", "all") as s:
        yield s


def _command(site_url: str, archive: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", "ntd", *RANGE,
        "-s", f"SITE_URL={site_url}", "-s", f"ARCHIVE_DIR={archive}", *FAST, *extra,
    ]  # fmt: skip


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **extra}


def _report(archive: Path) -> dict:
    return json.loads((archive / ".state/last-run.json").read_text("utf-8"))


def _feed(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory):
    """An uninterrupted run with a JSON lines feed."""
    base = tmp_path_factory.mktemp("reference")
    result = crawl(site.url, base / "archive", *RANGE, feed=base / "run.jsonl")
    assert result.returncode == 0, result.stderr[-2000:]
    return base / "archive", _feed(base / "run.jsonl")


def _kill_then_resume(
    site, tmp_path: Path, crash_at: str
) -> tuple[subprocess.CompletedProcess, int, set[str]]:
    """A resumable job with `-O`, killed at a crash point, then the same command again; the
    resumed run's result, how many requests the replica had seen when it started, and the
    days whose listing the killed run had read to the end (from the store)."""
    command = _command(
        site.url, tmp_path / "archive", "-s", f"JOBDIR={tmp_path / 'job'}",
        "-O", str(tmp_path / "out.jsonl"),
    )  # fmt: skip
    killed = subprocess.run(command, env=_env(NTD_CRASH_AT=crash_at), capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    seen = len(site.requested_paths())
    store = sqlite3.connect(tmp_path / "archive/.state/archive.sqlite3")
    walked = {day for (day,) in store.execute("SELECT day FROM walked_days")}
    store.close()
    resumed = subprocess.run(command, env=_env(), capture_output=True, text=True)
    return resumed, seen, walked


def test_resumed_job_feed_holds_every_article_once(site, reference, tmp_path):
    """Finding 4: `-O out.jsonl` of a resumed job held only the part after the interruption."""
    _, records = reference
    resumed, _, _ = _kill_then_resume(site, tmp_path, "article-response:40")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    feed = _feed(tmp_path / "out.jsonl")
    ids = [r["id"] for r in feed]
    assert len(ids) == len(set(ids)), "an article appears twice"
    assert sorted(ids) == sorted(r["id"] for r in records)
    by_id = {r["id"]: r for r in records}
    assert all(record == by_id[record["id"]] for record in feed)
    # Keys in the crawl feed's order
    assert [list(r) for r in feed] == [list(by_id[r["id"]]) for r in feed]


def test_resumed_job_walks_only_the_days_it_had_not_read(site, reference, tmp_path):
    """Finding 5: a resume walked every day again, fetched page 2 twice and counted the same
    failures twice."""
    resumed, seen, walked_by_the_killed_run = _kill_then_resume(
        site, tmp_path, "article-response:20"
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    before, after = site.requested_paths()[:seen], site.requested_paths()[seen:]
    day_pages = re.compile(r"^/gb/2021/06/2\d/(page/\d+/)?$")
    walked_before = {p for p in before if day_pages.match(p)}
    walked_after = [p for p in after if day_pages.match(p)]
    assert len(walked_after) == len(set(walked_after)), "a listing page was fetched twice"
    report = _report(tmp_path / "archive")
    # Exactly the days whose listing the killed run had not read to the end are walked again
    days_after = {p[4:14].replace("/", "-") for p in walked_after}
    in_range = {f"2021-06-{d}" for d in (20, 21, 22, 23)}
    assert walked_by_the_killed_run, "the kill came before any day was read: move it later"
    assert days_after == in_range - walked_by_the_killed_run
    assert report["days_walked"] == len(days_after) and report["days_in_range"] == 4
    assert walked_before
    failed = [f["url"] for f in report["failed"]]
    assert len(failed) == len(set(failed)) == report["articles"]["failed"]
    ref_archive, _ = reference
    assert {d["day"]: d["missing"] for d in report["days"]} == {
        d["day"]: d["missing"] for d in _report(ref_archive)["days"]
    }


def test_rerun_over_archived_days_with_a_removed_article_is_done(site, reference, tmp_path):
    """Finding 1: a re-run that finds nothing new, with listed articles that answer 404, ended
    'Run failed (every article failed)', exit 1."""
    ref_archive, _ = reference
    archive = tmp_path / "archive"
    subprocess.run(["cp", "-a", str(ref_archive), str(archive)], check=True)
    result = crawl(site.url, archive, *RANGE)
    assert result.returncode == 0, result.stderr[-2000:]
    report = _report(archive)
    assert report["status"] == "ok"
    assert report["articles"]["gone"] == report["articles"]["failed"] > 0
    # Finding 7: retried featured images are not unchanged articles
    assert report["articles"]["unchanged"] == 0
    assert report["images"]["failed"] > 0
    reasons = {f["reason"] for f in report["images"]["failures"]}
    assert not any("0x" in reason or "BytesIO" in reason for reason in reasons), reasons


def test_ctrl_c_is_an_interrupted_run(site, tmp_path):
    """Finding 6: a Ctrl-C'd run exited 0."""
    archive = tmp_path / "archive"
    process = subprocess.Popen(
        _command(site.url, archive, "-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS=1"),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while not (archive / ".state/archive.sqlite3").exists() and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 5, err[-2000:]
    report = _report(archive)
    assert report["status"] == "interrupted" and report["finish_reason"] == "shutdown"
    assert "Run interrupted" in err


def test_every_day_answering_404_says_the_site_changed(site, tmp_path):
    """Finding 6: a run where every day answered 404 was 'ok', exit 0."""
    archive = tmp_path / "archive"
    result = crawl(site.url, archive, "-a", "start=2020-01-01", "-a", "end=2020-01-03")
    assert result.returncode == 4, result.stderr[-2000:]
    assert "The site no longer looks like the site this crawler knows" in result.stderr
    assert _report(archive)["status"] == "site_changed"


def test_misspelled_argument_stops_the_run(tmp_path):
    """Finding 3: `-a strat=…` was ignored and the default crawl ran."""
    result = run_scrapy(
        "crawl", "ntd", "-a", "strat=2021-06-01", "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}",
        "-s", "SITE_URL=http://127.0.0.1:9",
    )  # fmt: skip
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: unknown argument strat='2021-06-01': the spider ntd takes "
        "start, end, days, lang, refresh"
    ]
    assert not (tmp_path / "archive").exists()


def test_export_refuses_a_reversed_range_and_writes_the_crawl_feeds_keys(reference, tmp_path):
    """Finding 8: a reversed range exported 0 articles with exit 0; keys came in another order."""
    archive, records = reference
    reversed_range = run_scrapy(
        "export", str(tmp_path / "x.jsonl"), "--start", "2021-06-23", "--end", "2021-06-21",
        "-s", f"ARCHIVE_DIR={archive}",
    )  # fmt: skip
    assert reversed_range.returncode == 2
    assert "start=2021-06-23 is after end=2021-06-21" in reversed_range.stderr
    assert not (tmp_path / "x.jsonl").exists()
    lines = run_scrapy("export", "-", "-s", f"ARCHIVE_DIR={archive}").stdout.splitlines()
    keys = {tuple(json.loads(line)) for line in lines}
    assert keys == {tuple(records[0])}


def test_the_crawl_feed_is_what_export_writes_and_honours_chosen_fields(site, reference, tmp_path):
    """The crawl's JSON lines are made by records.json_line (crawler/exporters.py), as
    `scrapy export` makes them, and are the bytes Scrapy's own exporter would write for the
    same articles. A feed that chooses its fields gets those."""
    import io

    from scrapy.exporters import JsonLinesItemExporter

    from crawler.exporters import ArticleJsonLinesExporter
    from crawler.items import EXPORTED_FIELDS, Article

    archive, _ = reference
    crawled = (archive.parent / "run.jsonl").read_text("utf-8").splitlines()
    assert len(crawled) > 50
    outputs = []
    for exporter_class in (JsonLinesItemExporter, ArticleJsonLinesExporter):
        out = io.BytesIO()
        exporter = exporter_class(out, encoding="utf-8", fields_to_export=list(EXPORTED_FIELDS))
        for line in crawled:
            exporter.export_item(Article(json.loads(line)))
        outputs.append(out.getvalue().decode("utf-8").splitlines())
    assert outputs[0] == outputs[1] == crawled
    chosen = crawl(
        site.url, tmp_path / "archive", *RANGE, "-s", "FEED_EXPORT_FIELDS=id,title",
        feed=tmp_path / "chosen.jsonl",
    )  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr[-2000:]
    lines = _feed(tmp_path / "chosen.jsonl")
    assert len(lines) == len(crawled)
    assert {tuple(line) for line in lines} == {("id", "title")}


@pytest.mark.parametrize("command", ["crawl", "seed"])
def test_unreachable_redis_is_one_line(tmp_path, command):
    """Finding 9: a 69-line traceback instead of one line naming REDIS_URL."""
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"
    args = ["crawl", "ntd-worker"] if command == "crawl" else ["seed", "--start", "2021-06-20"]
    result = run_scrapy(*args, "-s", f"REDIS_URL={url}", "-s", f"ARCHIVE_DIR={tmp_path / 'a'}")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach Redis at redis://127.0.0.1:" in errors[0]
    assert "(REDIS_URL)" in errors[0] and "secret" not in result.stderr


def test_progress_lines_while_the_run_goes(site, tmp_path):
    """Finding 10: a backfill showed nothing but Scrapy's 'Crawled N pages' line."""
    result = subprocess.run(
        _command(
            site.url, tmp_path / "archive", "-s", "PROGRESS_INTERVAL=0.5",
            "-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS=2",
        ),
        env=_env(), capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    lines = re.findall(
        r"Progress: (\d+)/4 days walked, (\d+) articles archived of (\d+) listed, (\d+) failed, "
        r"(\d+) articles/min",
        result.stderr,
    )
    assert len(lines) >= 3
    walked = [int(line[0]) for line in lines]
    archived = [int(line[1]) for line in lines]
    assert walked == sorted(walked) and archived == sorted(archived)
    assert walked[-1] == 4 and archived[-1] == len(exported(tmp_path / "archive"))
    assert "min left" in result.stderr


def test_a_worker_that_walked_only_an_empty_day_is_not_a_changed_site(tmp_path):
    """A distributed worker walks only the days it takes from the shared queue: one that took
    only a day answering 404, and archived articles that other workers listed, is 'ok' (it
    made a three-worker backfill exit 4). A single crawl in that state did find no archive
    page: the site changed."""
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from crawler.report import SITE_CHANGED, RunReport

    crawler = get_crawler(settings_dict={"ARCHIVE_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    crawler.stats.set_value("ntd/days/begun", 1)
    crawler.stats.set_value("ntd/days/empty", 1)
    report = RunReport(crawler)
    articles = {"new": 16, "updated": 0, "unchanged": 0, "already_archived": 0}
    articles |= {"failed": 0, "gone": 0}
    crawler.spider = SimpleNamespace()
    assert report.judge(articles, fetched=16)[0] == SITE_CHANGED
    crawler.spider = SimpleNamespace(is_archived_elsewhere=lambda article_id: False)
    assert report.judge(articles, fetched=16) == ("ok", None)
    assert report.judge(articles, fetched=0)[0] == SITE_CHANGED
