"""Faults a long-lived archive meets (issue 16), end to end on the replica: a full disk, a power
cut (the order of syncs and commits), a lost or damaged store, an ARCHIVE_DIR it may not write."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FAST, archive_tree, crawl, exported, run_scrapy
from tests.site.replica import PROJECT_ROOT, Replica

RANGE = ["-a", "start=2021-06-20", "-a", "end=2021-06-23"]
EXIT_DISK_FULL, EXIT_STORE_DAMAGED, EXIT_NOT_WRITABLE = 7, 8, 9
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounts a tmpfs (CI runs as root)")


@pytest.fixture(scope="module")
def site():
    with Replica("--start", "2021-06-20", "--days", "4", "--per-day", "30", "--faults", "all") as s:
        yield s


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory) -> Path:
    """An uninterrupted run."""
    archive = tmp_path_factory.mktemp("reference") / "archive"
    result = crawl(site.url, archive, *RANGE)
    assert result.returncode == 0, result.stderr[-2000:]
    return archive


def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], check=False)


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "ERROR" in line or "Traceback" in line]


@as_root
def test_full_disk_stops_cleanly_and_the_same_command_completes(site, reference, tmp_path):
    disk = tmp_path / "disk"
    size = sum(p.stat().st_size for p in reference.rglob("*") if p.is_file())
    _mount_tmpfs(disk, f"size={size + 8 * 2**20}")
    try:
        # The filler leaves room for about half of the archive: the disk fills mid-run
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (8 * 2**20 + size // 2))
        archive = disk / "archive"
        full = crawl(site.url, archive, *RANGE)
        assert full.returncode == EXIT_DISK_FULL, full.stderr[-3000:]
        # One line names the cause; no traceback for each article still in flight
        assert "Traceback" not in full.stderr
        assert len([x for x in full.stderr.splitlines() if "the disk is full" in x]) == 1
        assert not list(archive.rglob(".tmp-*")), "a partial file was left"
        # The store agrees with the files: every recorded article has its file, whole
        recorded = exported(archive)
        assert recorded, "the disk filled before anything was archived"
        for record in recorded:
            assert (archive / record["path"]).is_file()
        assert len(recorded) < len(exported(reference)), "the disk did not fill mid-run"

        filler.unlink()  # space freed
        again = crawl(site.url, archive, *RANGE)
        assert again.returncode == 0, again.stderr[-3000:]
        assert archive_tree(archive) == archive_tree(reference)
        assert exported(archive) == exported(reference)
    finally:
        _unmount(disk)


_TRACER = r"""
import os, sqlite3, sys

_out = open(os.environ["NTD_TRACE"], "a", buffering=1)
_connect = sqlite3.connect

def _statement(sql):
    # A commit that records articles, or marks index pages fresh: what must follow the files
    sql = sql.lstrip().upper()
    if sql.startswith(("INSERT INTO ARTICLES", "DELETE FROM STALE_PAGES")):
        _out.write("records\n")
    elif sql.startswith("COMMIT"):
        _out.write("commit\n")

def _traced(*args, **kwargs):
    db = _connect(*args, **kwargs)
    db.set_trace_callback(_statement)
    return db

sqlite3.connect = _traced

import ctypes

class _Libc:
    # The C library, with its real syncfs noted when it returns

    def __init__(self, lib):
        self._lib = lib

    def __getattr__(self, name):
        function = getattr(self._lib, name)
        if name != "syncfs":
            return function

        def syncfs(fd):
            result = function(fd)
            _out.write("sync\n")
            return result

        return syncfs

_CDLL = ctypes.CDLL
ctypes.CDLL = lambda name, *a, **k: _Libc(_CDLL(name, *a, **k)) if name is None else _CDLL(name, *a, **k)

def _audit(event, args):
    if event == "os.rename":
        _out.write(f"rename {args[1]}\n")

sys.addaudithook(_audit)
"""


def test_files_reach_the_disk_before_the_store_records_them(site, tmp_path):
    """The real calls of a run, recorded by a sitecustomize: every commit of the store comes
    after a syncfs that follows the last file renamed into place."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(_TRACER))
    trace = tmp_path / "trace.txt"
    archive = tmp_path / "archive"
    env = {**os.environ, "PYTHONPATH": f"{hooks}:{PROJECT_ROOT}", "NTD_TRACE": str(trace)}
    command = [sys.executable, "-m", "scrapy", "crawl", "ntd", *RANGE, *FAST]
    command += ["-s", f"SITE_URL={site.url}", "-s", f"ARCHIVE_DIR={archive}"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    events = trace.read_text().splitlines()
    renames = [e for e in events if e.startswith("rename ") and ".md" in e]
    assert len(renames) > 100
    unsynced, records = [], False
    for event in events:
        if event.startswith("rename ") and str(archive) in event and "/.state/" not in event:
            unsynced.append(event)
        elif event == "sync":
            unsynced = []
        elif event == "records":
            records = True
        elif event == "commit" and records:
            assert not unsynced, f"the store committed before {unsynced[0]} reached the disk"
            records = False
    # One sync a batch of saves, not one a file
    assert 0 < events.count("sync") <= events.count("commit")
    assert events.count("sync") < len(renames) / 5


def _modification_times(archive: Path) -> dict[str, int]:
    return {
        str(p.relative_to(archive)): p.stat().st_mtime_ns
        for p in archive.rglob("*")
        if p.is_file() and ".state" not in p.parts
    }


def test_a_lost_store_is_refused_then_rebuilt_and_nothing_is_fetched_again(
    site, reference, tmp_path
):
    archive = tmp_path / "archive"
    shutil.copytree(reference, archive)
    records = exported(archive)
    for name in ("archive.sqlite3", "archive.sqlite3-wal", "archive.sqlite3-shm"):
        (archive / ".state" / name).unlink(missing_ok=True)

    refused = crawl(site.url, archive, *RANGE)
    assert refused.returncode == EXIT_STORE_DAMAGED, refused.stderr[-2000:]
    line = refused.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and "scrapy rebuild_store" in line
    assert not (archive / ".state/archive.sqlite3").exists()

    rebuilt = run_scrapy("rebuild_store", "-s", f"ARCHIVE_DIR={archive}")
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert "0 not rendered back exactly" in rebuilt.stderr
    assert "index pages rewritten: 0" in rebuilt.stderr
    again = exported(archive)
    assert [r["id"] for r in again] == [r["id"] for r in records]
    # The fields the file holds come back exactly (README: what cannot)
    exact = ("id", "url", "lang", "title", "published", "modified", "section", "authors")
    exact += ("editor", "source", "markdown", "text", "path")
    for before, after in zip(records, again, strict=True):
        assert {k: after[k] for k in exact} == {k: before[k] for k in exact}
        assert [t["name"] for t in after["tags"]] == [t["name"] for t in before["tags"]]
        image, image_again = before["featured_image"], after["featured_image"]
        if image:
            assert {k: image_again[k] for k in ("alt", "caption", "path")} == {
                k: image[k] for k in ("alt", "caption", "path")
            }

    times = _modification_times(archive)
    requested_before = len(site.requested_paths())
    rerun = crawl(site.url, archive, *RANGE)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    requested = site.requested_paths()[requested_before:]
    articles = [p for p in requested if p.endswith(".html")]
    archived = {r["url"].split("://", 1)[1].split("/", 1)[1] for r in records}
    assert not [p for p in articles if p.lstrip("/") in archived]
    assert _modification_times(archive) == times
    assert archive_tree(archive) == archive_tree(reference)


def test_a_truncated_store_is_detected(site, reference, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(reference, archive)
    store = archive / ".state/archive.sqlite3"
    with open(store, "r+b") as f:
        f.truncate(store.stat().st_size // 2)
    times = _modification_times(archive)
    refused = crawl(site.url, archive, *RANGE)
    assert refused.returncode == EXIT_STORE_DAMAGED, refused.stderr[-2000:]
    line = refused.stderr.strip().splitlines()[-1]
    assert "is damaged" in line and "scrapy rebuild_store" in line
    assert _modification_times(archive) == times
    rebuilt = run_scrapy("rebuild_store", "-s", f"ARCHIVE_DIR={archive}")
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert "the old store is kept as" in rebuilt.stderr
    assert crawl(site.url, archive, *RANGE).returncode == 0


def _assert_refused(result, status: int, words: str) -> None:
    assert result.returncode == status, result.stderr[-2000:]
    # Scrapy's start-up lines (INFO), then one line naming the cause
    lines = [x for x in result.stderr.splitlines() if " INFO: " not in x and x[:1] in "e["]
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
    assert "Traceback" not in result.stderr


def test_archive_dir_that_is_a_file(site, tmp_path):
    target = tmp_path / "archive"
    target.write_text("not a folder")
    _assert_refused(crawl(site.url, target, *RANGE), EXIT_NOT_WRITABLE, "is not a folder")
    assert target.read_text() == "not a folder"


@as_root
def test_archive_dir_on_a_read_only_file_system(site, tmp_path):
    disk = tmp_path / "ro"
    _mount_tmpfs(disk, "ro,size=1m")
    try:
        result = crawl(site.url, disk / "archive", *RANGE)
        _assert_refused(result, EXIT_NOT_WRITABLE, "Read-only file system")
        assert not list(disk.iterdir())
    finally:
        _unmount(disk)


@as_root
@pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv (util-linux)")
def test_archive_dir_of_another_user(site, tmp_path):
    """A folder nobody owns (0755), written to by root without the capabilities that let root
    write anywhere (as a user other than the owner would be)."""
    archive = tmp_path / "archive"
    archive.mkdir()
    os.chown(archive, 65534, 65534)
    archive.chmod(0o755)
    command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    command += [sys.executable, "-m", "scrapy", "crawl", "ntd", *RANGE, *FAST]
    command += ["-s", f"SITE_URL={site.url}", "-s", f"ARCHIVE_DIR={archive}"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    _assert_refused(result, EXIT_NOT_WRITABLE, "Permission denied")
    assert not list(archive.iterdir())
