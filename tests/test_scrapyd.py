"""The project deployed to a real Scrapyd server on loopback, scheduled, run, and checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.site.model import SiteModel, parse_faults
from tests.site.replica import PROJECT_ROOT, Replica

BIN = Path(sys.executable).parent


def _call(url: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        return json.load(response)


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_to_keep = 5\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    process = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            _call(f"{url}/daemonstatus.json")
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("scrapyd did not start") from None
            time.sleep(0.2)
    yield url, home
    process.terminate()
    process.wait(20)


def test_deploy_schedule_and_run_on_scrapyd(scrapyd, tmp_path):
    url, home = scrapyd
    # scrapyd-deploy reads targets from scrapy.cfg files, $XDG_CONFIG_HOME/scrapy.cfg among them
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {url}/\nproject = ntd_archive\n")
    deploy = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "test", "-p", "ntd_archive"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "XDG_CONFIG_HOME": str(xdg)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert '"status": "ok"' in deploy.stdout
    assert _call(f"{url}/listspiders.json?project=ntd_archive")["spiders"] == [
        "ntd",
        "ntd-reextract",
        "ntd-worker",
    ]

    archive = tmp_path / "archive"
    with Replica(
        "--start", "2021-06-20", "--days", "2", "--per-day", "12", "--faults", "all"
    ) as site:
        job = _call(
            f"{url}/schedule.json",
            [
                ("project", "ntd_archive"),
                ("spider", "ntd"),
                ("start", "2021-06-20"),
                ("end", "2021-06-21"),
                ("setting", f"SITE_URL={site.url}"),
                ("setting", f"ARCHIVE_DIR={archive}"),
                ("setting", "AUTOTHROTTLE_ENABLED=False"),
                ("setting", "DOWNLOAD_DELAY=0"),
            ],
        )
        assert job["status"] == "ok", job
        deadline = time.time() + 180
        while True:
            jobs = _call(f"{url}/listjobs.json?project=ntd_archive")
            if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                break
            assert time.time() < deadline, jobs
            time.sleep(0.5)

    model = SiteModel.from_args("2021-06-20", 2, 12, parse_faults("all"))
    expected = {a.id for a in model.all_articles("gb") if not model.is_gone(a)}
    report = json.loads((archive / ".state/last-run.json").read_text("utf-8"))
    assert report["status"] == "ok", report
    assert report["articles"]["new"] == len(expected)
    archived = {p.stem for p in (archive / "gb").rglob("a*.md")}
    assert archived == expected
    assert (archive / "README.md").is_file()
    log = next((home / "logs" / "ntd_archive" / "ntd").glob("*.log")).read_text("utf-8")
    assert "Run ok: 2 of 2 days walked" in log
