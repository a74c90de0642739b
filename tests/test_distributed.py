"""Distributed backfills on scrapy-redis with a real redis-server: several workers together
produce exactly the archive of a single run, and a killed worker loses nothing."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FAST, archive_tree, crawl, exported, free_port, run_scrapy, stats_of
from tests.site.replica import PROJECT_ROOT, Replica

START, END = "2021-06-20", "2021-06-23"


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: `make test` installs it (Debian redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.time() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def site():
    with Replica("--start", START, "--days", "4", "--per-day", "30", "--faults", "all") as s:
        yield s


def worker(site_url: str, redis: str, archive: Path, idle: int = 3) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "scrapy", "crawl", "ntd-worker",
        "-s", f"SITE_URL={site_url}", "-s", f"ARCHIVE_DIR={archive}",
        "-s", f"REDIS_URL={redis}", "-s", f"MAX_IDLE_TIME_BEFORE_CLOSE={idle}", *FAST,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def seed(redis: str) -> None:
    result = run_scrapy("seed", "--start", START, "--end", END, "-s", f"REDIS_URL={redis}")
    assert result.returncode == 0, result.stderr
    assert "4 days queued" in result.stderr


def merge(target: Path, *sources: Path) -> None:
    result = run_scrapy("merge", *map(str, sources), "-s", f"ARCHIVE_DIR={target}")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def single_run(site, tmp_path_factory):
    archive = tmp_path_factory.mktemp("single") / "archive"
    result = crawl(site.url, archive, "-a", f"start={START}", "-a", f"end={END}")
    assert result.returncode == 0, result.stderr[-2000:]
    return archive_tree(archive), exported(archive)


def _archived(archive: Path) -> set[str]:
    path = archive / ".state/archive.sqlite3"
    if not path.exists():
        return set()
    db = sqlite3.connect(path)
    try:
        return {r[0] for r in db.execute("SELECT id FROM articles")}
    except sqlite3.OperationalError:  # the worker has not made its tables yet
        return set()
    finally:
        db.close()


def wait_until_started(*parts: Path) -> None:
    """Until each worker holds its archive's lock (it then opens its spider at once)."""
    deadline = time.time() + 60
    for part in parts:
        lock = part / ".state/run.lock"
        while not (lock.exists() and lock.read_text().strip()):
            assert time.time() < deadline, "a worker did not start"
            time.sleep(0.05)
    time.sleep(1.5)


def test_three_workers_produce_the_archive_of_a_single_run(site, redis_url, single_run, tmp_path):
    parts = [tmp_path / f"worker{i}" for i in range(3)]
    workers = [worker(site.url, redis_url, part, idle=4) for part in parts]
    wait_until_started(*parts)
    seed(redis_url)
    for process in workers:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()[-2000:]
    shares = [_archived(part) for part in parts]
    assert sum(len(s) > 0 for s in shares) >= 2, "the work should be shared"
    for one, other in itertools.combinations(shares, 2):
        assert not one & other, "an article was archived by two workers"
    merged = tmp_path / "merged"
    merge(merged, *parts)
    files, records = single_run
    assert archive_tree(merged) == files
    assert exported(merged) == records


def test_a_killed_worker_loses_nothing(site, redis_url, single_run, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    killed = worker(site.url, redis_url, first)
    survivor = worker(site.url, redis_url, second)
    wait_until_started(first, second)
    seed(redis_url)
    deadline = time.time() + 60
    while len(_archived(first)) < 5:
        assert time.time() < deadline and killed.poll() is None, "the first worker did no work"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait(30)
    assert survivor.wait(300) == 0
    # What the killed worker had taken from the queue is gone with it: the same seed again
    # walks the days once more and fetches exactly what is not archived anywhere
    seed(redis_url)
    again = worker(site.url, redis_url, first)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()[-2000:]
    merged = tmp_path / "merged"
    merge(merged, first, second)
    files, records = single_run
    assert archive_tree(merged) == files
    assert exported(merged) == records


def test_merged_parts_are_the_single_run_with_links_codes_and_raw_pages(tmp_path):
    """Parts split by day (the first story of each day links to the first of the next and of
    the day before, so links cross the parts), merged: the single run's files (links between
    the parts' articles made local, QR codes included) and records; and the merged raw pages
    re-extract every article to the same archive without a request."""
    public = ["-s", "PUBLIC_URL=https://mirror.example.org/ntd/"]
    days = ["2021-06-20", "2021-06-21", "2021-06-22", "2021-06-23"]
    with Replica(
        "--start", days[0], "--days", "4", "--per-day", "5", "--faults", "crosslinks"
    ) as s:
        single = tmp_path / "single"
        ran = crawl(s.url, single, "-a", f"start={days[0]}", "-a", f"end={days[3]}", *public)
        assert ran.returncode == 0, ran.stderr[-2000:]
        parts = [tmp_path / "part1", tmp_path / "part2"]
        for part, (first, last) in zip(parts, [days[:2], days[2:]], strict=True):
            ran = crawl(s.url, part, "-a", f"start={first}", "-a", f"end={last}", *public)
            assert ran.returncode == 0, ran.stderr[-2000:]
        url = s.url
    part1_first = sorted((parts[0] / "gb/2021/06/21").glob("a*.md"))[0].read_text("utf-8")
    assert f"{url}/gb/2021/06/22/" in part1_first  # the part alone links to the site
    merged = tmp_path / "merged"
    for again in (False, True):  # merging the same parts again changes nothing
        result = run_scrapy(
            "merge",
            *map(str, parts),
            "-s",
            f"ARCHIVE_DIR={merged}",
            *public,
            "-s",
            f"SITE_URL={url}",
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("0 articles merged") == again, result.stderr
        assert archive_tree(merged) == archive_tree(single)
        assert exported(merged) == exported(single)
    assert list(merged.glob("gb/2021/06/2*/a*.png"))
    warcs = sorted(p.name for p in (merged / ".state/raw-pages/gb/2021/06").iterdir())
    assert len(warcs) == 4 and all(
        re.fullmatch(r"2[0-3]\.[0-9a-f]{10}\.warc\.gz", n) for n in warcs
    )
    before = archive_tree(merged)
    result = run_scrapy(
        "reextract", "-s", f"ARCHIVE_DIR={merged}", "-s", f"SITE_URL={url}", *public,
        "-s", "LOG_LEVEL=INFO",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    stats = stats_of(result.stderr)
    assert stats.get("downloader/request_count", 0) == 0
    assert stats["ntd/reextract/pages"] == 20
    assert archive_tree(merged) == before
