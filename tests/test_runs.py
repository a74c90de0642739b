"""Runs that survive kills and keep the archive current (docs/archive.md, "Guarantees")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FAST, archive_tree, crawl, exported
from tests.site.replica import PROJECT_ROOT, Replica

RANGE = ["-a", "start=2021-06-20", "-a", "end=2021-06-23"]


@pytest.fixture(scope="module")
def site():
    with Replica("--start", "2021-06-20", "--days", "4", "--per-day", "30", "--faults", "all") as s:
        yield s


@pytest.fixture(scope="module")
def reference_archive(site, tmp_path_factory) -> Path:
    """An uninterrupted run: what every interrupted-and-resumed run must end with."""
    archive = tmp_path_factory.mktemp("reference") / "archive"
    result = crawl(site.url, archive, *RANGE)
    assert result.returncode == 0, result.stderr[-2000:]
    return archive


@pytest.fixture(scope="module")
def reference(reference_archive):
    """The files and records of the uninterrupted run."""
    return archive_tree(reference_archive), exported(reference_archive)


def _missing_by_day(archive: Path) -> dict[str, list[str]]:
    """The listed articles not archived, per day, that the last run's report gives."""
    report = json.loads((archive / ".state/last-run.json").read_text("utf-8"))
    return {d["day"]: d["missing"] for d in report["days"]}


def _crawl_env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **extra}


def _crawl_command(site_url: str, archive: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", "ntd", *RANGE,
        "-s", f"SITE_URL={site_url}", "-s", f"ARCHIVE_DIR={archive}", *FAST, *extra,
    ]  # fmt: skip


# Crash points: inside the n-th write of an image, of an article file, of an index page,
# between the store's INSERT and its COMMIT, and when the n-th article page has arrived (the
# day's listing parsed, its article requests taken from the queue, their items not stored)
CRASH_POINTS = [
    "/images/:1",
    "/images/:17",
    "/gb/2021/06/2:1",
    "/gb/2021/06/2:45",
    "store:save:30",
    "README.md:2",
    "article-response:1",
    "article-response:9",
]


@pytest.mark.parametrize("jobdir", [False, True], ids=["rerun", "jobdir"])
@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_killed_run_resumes_to_the_same_archive(site, reference, tmp_path, crash_at, jobdir):
    archive = tmp_path / "archive"
    extra = ["-s", f"JOBDIR={tmp_path / 'job'}"] if jobdir else []
    killed = subprocess.run(
        _crawl_command(site.url, archive, *extra),
        env=_crawl_env({"NTD_CRASH_AT": crash_at}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    if not crash_at.startswith(("store", "article-response")):
        assert list(archive.rglob(".tmp-*")), "the kill should have left a temporary file"
    # Whatever the store claims is archived is wholly on disk
    claimed = exported(archive)
    for record in claimed:
        assert (archive / record["path"]).is_file()
        if record["featured_image"] and record["featured_image"]["path"]:
            assert (archive / record["featured_image"]["path"]).is_file()
    resumed = subprocess.run(
        _crawl_command(site.url, archive, *extra),
        env=_crawl_env({}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    files, records = reference
    assert archive_tree(archive) == files
    assert exported(archive) == records


# A backfill of ten days at the project's default concurrency (the tests' FAST settings put
# more requests in flight), where a kill often finds a day's article requests taken from the
# queue and not yet answered
TEN_DAYS = ["-a", "start=2021-06-20", "-a", "end=2021-06-29"]
DEFAULT_CONCURRENCY = ["-s", "CONCURRENT_REQUESTS=8", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def _ten_day_command(site_url: str, archive: Path, *extra: str) -> list[str]:
    return [
        *_crawl_command(site_url, archive, *DEFAULT_CONCURRENCY, *extra),
        *TEN_DAYS,  # the last -a of a name wins: it replaces RANGE
    ]


def test_sigkill_at_twenty_moments_then_the_same_command(tmp_path):
    """A resumable job (JOBDIR) killed at 20 moments spread over the first half of its run
    (start-up included), each time resumed with the same command: every trial ends with the
    archive and records of an uninterrupted run, and its report lists the same missing ids."""
    with Replica("--start", "2021-06-20", "--days", "10", "--per-day", "20") as ten_days:
        reference = tmp_path / "reference"
        started = time.monotonic()
        assert subprocess.run(_ten_day_command(ten_days.url, reference), env=_crawl_env({}),
                              capture_output=True).returncode == 0  # fmt: skip
        duration = time.monotonic() - started
        files, records = archive_tree(reference), exported(reference)
        assert len(records) == 200
        failures = []
        for trial in range(20):
            base = tmp_path / f"trial{trial}"
            command = _ten_day_command(ten_days.url, base / "archive", "-s", f"JOBDIR={base}/job")
            after = duration * 0.5 * (trial + 0.5) / 20
            killed = subprocess.Popen(
                command, env=_crawl_env({}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(after)
            killed.send_signal(signal.SIGKILL)
            killed.wait(30)
            resumed = subprocess.run(command, env=_crawl_env({}), capture_output=True, text=True)
            if resumed.returncode != 0:
                failures.append(f"kill at {after:.2f} s: resumed run exited {resumed.returncode}")
            elif archive_tree(base / "archive") != files:
                failures.append(f"kill at {after:.2f} s: the archive's files differ")
            elif exported(base / "archive") != records:
                failures.append(f"kill at {after:.2f} s: the archive's records differ")
            elif _missing_by_day(base / "archive") != _missing_by_day(reference):
                failures.append(f"kill at {after:.2f} s: the report's missing articles differ")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("after", [0.8, 1.6, 2.4])
def test_kill_at_a_random_moment_then_rerun(site, reference, tmp_path, after):
    archive = tmp_path / "archive"
    process = subprocess.Popen(
        _crawl_command(site.url, archive, "-s", "CONCURRENT_REQUESTS=2"),
        env=_crawl_env({}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    result = crawl(site.url, archive, *RANGE)
    assert result.returncode == 0, result.stderr[-2000:]
    files, records = reference
    assert archive_tree(archive) == files
    assert exported(archive) == records


def test_refresh_rewrites_exactly_the_changed_articles(tmp_path):
    with Replica("--start", "2021-06-20", "--days", "2", "--per-day", "20") as site:
        archive = tmp_path / "archive"
        assert (
            crawl(site.url, archive, "-a", "start=2021-06-20", "-a", "end=2021-06-21").returncode
            == 0
        )
        before_records = {r["id"]: r for r in exported(archive)}
        before = {p: (archive / p).stat().st_mtime_ns for p in archive_tree(archive)}
        changed = sorted(before_records)[3:6]
        for article_id in changed:
            site.revise(article_id)
        feed = tmp_path / "refresh.jsonl"
        result = crawl(
            site.url, archive, "-a", "start=2021-06-20", "-a", "end=2021-06-21",
            "-a", "refresh=true", feed=feed,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        rewritten = {p for p, mtime in before.items() if (archive / p).stat().st_mtime_ns != mtime}
        assert rewritten == {before_records[i]["path"] for i in changed}
        updated = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
        assert sorted(r["id"] for r in updated) == changed
        for record in updated:
            old = before_records[record["id"]]
            assert record["published"] == old["published"]
            assert record["modified"] > old["modified"]
            assert "本文已更新" in record["text"]
        report = json.loads((archive / ".state/last-run.json").read_text("utf-8"))
        assert report["articles"]["updated"] == 3
        assert report["articles"]["unchanged"] == 40 - 3
        assert sorted(report["updated"]) == sorted(before_records[i]["url"] for i in changed)


def test_overlapping_runs_cannot_corrupt_the_archive(site, reference, tmp_path):
    archive = tmp_path / "archive"
    first = subprocess.Popen(
        _crawl_command(
            site.url, archive, "-s", "DOWNLOAD_DELAY=0.02", "-s", "CONCURRENT_REQUESTS=1"
        ),
        env=_crawl_env({}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = archive / ".state" / "run.lock"
    deadline = time.time() + 30
    while not (lock.exists() and lock.read_text().strip()) and time.time() < deadline:
        time.sleep(0.05)
    second = crawl(site.url, archive, *RANGE)
    assert first.poll() is None, "the first run should still be going"
    assert second.returncode == 3
    assert f"another run (pid {first.pid}) is using the archive" in second.stderr
    assert first.wait(300) == 0
    files, records = reference
    assert archive_tree(archive) == files
    assert exported(archive) == records
    # Once the first run is over, the archive is free again
    assert crawl(site.url, archive, *RANGE).returncode == 0


def test_run_report_shows_days_gaps_and_failures(site, tmp_path):
    archive = tmp_path / "archive"
    result = crawl(site.url, archive, *RANGE)
    assert result.returncode == 0
    report = json.loads((archive / ".state/last-run.json").read_text("utf-8"))
    assert report["status"] == "ok" and report["days_walked"] == 4
    by_day = {d["day"]: d for d in report["days"]}
    assert by_day["2021-06-22"]["listed"] == 0, "the replica's empty day"
    failed = {f["url"]: f["reason"] for f in report["failed"]}
    missing = {i for d in report["days"] for i in d["missing"]}
    assert missing and {u.rsplit("/", 1)[1][:-5] for u in failed} == missing
    assert set(failed.values()) == {"HTTP 404"}
    for day in report["days"]:
        assert day["archived"] == day["listed"] - len(day["missing"])
    assert report["articles"]["new"] == sum(d["archived"] for d in report["days"])
    assert report["images"]["failed"] == len(report["images"]["failures"]) > 0
    assert "Run ok: 4 of 4 days walked; articles new" in result.stderr


def test_unreachable_site_fails_the_run(tmp_path):
    archive = tmp_path / "archive"
    result = crawl("http://127.0.0.1:9", archive, "-a", "start=2021-06-20", "-s", "RETRY_TIMES=0")
    assert result.returncode == 1
    report = json.loads((archive / ".state/last-run.json").read_text("utf-8"))
    assert report["status"] == "failed" and report["problem"] == "the site could not be reached"


def test_every_article_failing_fails_the_run(tmp_path):
    with Replica(
        "--start", "2021-06-20", "--days", "1", "--per-day", "5", "--faults", "allbroken"
    ) as s:
        result = crawl(s.url, tmp_path / "archive", "-a", "start=2021-06-20", "-s", "RETRY_TIMES=1")
    assert result.returncode == 1
    assert "Run failed (most articles failed)" in result.stderr


def test_articles_the_site_removed_do_not_fail_the_run(tmp_path):
    """404 for every listed article: they are gone, reported and counted, and the run is done."""
    with Replica(
        "--start", "2021-06-20", "--days", "1", "--per-day", "5", "--faults", "allgone"
    ) as s:
        result = crawl(s.url, tmp_path / "archive", "-a", "start=2021-06-20")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "archive/.state/last-run.json").read_text("utf-8"))
    assert report["status"] == "ok"
    assert report["articles"]["gone"] == report["articles"]["failed"] == 5
    assert {f["reason"] for f in report["failed"]} == {"HTTP 404"}
