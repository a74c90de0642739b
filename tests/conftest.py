from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site.replica import PROJECT_ROOT, Replica

FAST = [
    "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "CONCURRENT_REQUESTS=16",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s", "LOG_LEVEL=INFO",
]  # fmt: skip


def run_scrapy(*args: str, cwd: Path = PROJECT_ROOT, timeout: int = 300, home: Path | None = None):
    """Run a scrapy command of the project in a subprocess, as a user would (`home`: the
    user's home and XDG folders, to see what a run writes there)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    if home is not None:
        env.update(HOME=str(home), XDG_STATE_HOME=str(home / ".local/state"))
        env.update(XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"))
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def archive_tree(archive: Path) -> dict[str, str]:
    """Every file of the archive but the store and run reports, with a digest of its bytes."""
    return {
        str(p.relative_to(archive)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(archive.rglob("*"))
        if p.is_file() and ".state" not in p.parts
    }


def exported(archive: Path) -> list[dict]:
    """The archive's records, through `scrapy export` as a user would get them."""
    result = run_scrapy("export", "-", "-s", f"ARCHIVE_DIR={archive}")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crawl(
    site_url: str, archive: Path, *args: str, feed: Path | None = None, home: Path | None = None
):
    command = ["crawl", "ntd", *args, "-s", f"SITE_URL={site_url}", "-s", f"ARCHIVE_DIR={archive}"]
    if feed is not None:
        command += ["-O", str(feed)]
    return run_scrapy(*command, *FAST, home=home)


def stats_of(log: str) -> dict[str, int]:
    """The integer stats from the 'Dumping Scrapy stats' block of a run's log."""
    return {k: int(v) for k, v in re.findall(r"'([\w/.\- ]+)': (\d+),?\n", log)}


@pytest.fixture(scope="session")
def faulty_site():
    """Ten days, 30 stories a day, every fault of docs/site.md switched on."""
    with Replica(
        "--start", "2021-06-20", "--days", "10", "--per-day", "30", "--faults", "all"
    ) as s:
        yield s
