"""Checks made before a run touches the archive: that ARCHIVE_DIR is a folder this process can
write in, and that the store beside the archive's files is there and sound."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.request import pathname2url

from crawler.archive.files import is_disk_full
from crawler.archive.store import STATE_DIR, store_path
from crawler.site.urls import LANGS

REBUILD_COMMAND = "scrapy rebuild_store"


class ArchiveProblem(RuntimeError):
    """What keeps a run from using the archive; `kind` picks the exit status."""

    NOT_WRITABLE = "not_writable"
    DISK_FULL = "disk_full"
    STORE = "store"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def check_writable(archive_dir: str | Path) -> None:
    """ArchiveProblem unless ARCHIVE_DIR is (or can be made) a folder this process can write
    in. Writes a probe file in ARCHIVE_DIR/.state and removes it; where it cannot, nothing is
    written."""
    path = Path(archive_dir)
    if path.exists() and not path.is_dir():
        raise ArchiveProblem(
            ArchiveProblem.NOT_WRITABLE, f"ARCHIVE_DIR={archive_dir!r} is not a folder"
        )
    probe = path / STATE_DIR / f".tmp-{os.getpid()}-probe"
    try:
        probe.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            try:
                os.write(fd, b"probe")
            finally:
                os.close(fd)
        finally:
            probe.unlink(missing_ok=True)
    except OSError as exc:
        if is_disk_full(exc):
            raise ArchiveProblem(
                ArchiveProblem.DISK_FULL,
                f"the disk of ARCHIVE_DIR={archive_dir!r} is full ({exc.strerror}): "
                "free some space and run again",
            ) from None
        where = f" ({exc.filename})" if exc.filename else ""
        raise ArchiveProblem(
            ArchiveProblem.NOT_WRITABLE,
            f"cannot write in ARCHIVE_DIR={archive_dir!r}: {exc.strerror}{where}",
        ) from None


def has_articles(archive_dir: str | Path) -> bool:
    """The archive holds article files (its language folders)."""
    return any((Path(archive_dir) / lang).is_dir() for lang in LANGS)


def check_store(archive_dir: str | Path, thorough: bool = True) -> None:
    """ArchiveProblem when the archive has articles and no store, or a store that is not a
    sound SQLite database with the archive's tables (PRAGMA quick_check: it reads every page
    of the store once, without the costlier checks of the indexes' contents)."""
    store = store_path(archive_dir)
    repair = f"rebuild it from the archive with `{REBUILD_COMMAND} -s ARCHIVE_DIR={archive_dir}`"
    if not store.exists():
        if has_articles(archive_dir):
            raise ArchiveProblem(
                ArchiveProblem.STORE,
                f"the archive {archive_dir} has articles but no store ({store}); {repair}",
            )
        return
    problem = store_problem(store, thorough)
    if problem is None and has_articles(archive_dir) and not _has_table(store):
        problem = "it has no articles table"
    if problem:
        raise ArchiveProblem(
            ArchiveProblem.STORE, f"the store {store} is damaged ({problem}); {repair}"
        )


def store_problem(store: Path, thorough: bool = True) -> str | None:
    """What is wrong with the store (its first complaint), or None. `thorough`: PRAGMA
    quick_check, which reads every page once (seconds at a million articles: wanted after a
    writer was killed); otherwise the cheap checks: a readable header and a file as long as
    the header says (a truncated copy)."""
    try:
        db = sqlite3.connect(f"file:{pathname2url(str(store))}?mode=rw", uri=True, timeout=60)
        try:
            if not thorough:
                pages = db.execute("PRAGMA page_count").fetchone()[0]
                size = db.execute("PRAGMA page_size").fetchone()[0]
                wal = store.with_name(store.name + "-wal")
                # Pages still in the write-ahead log are not in the file yet
                in_wal = wal.exists() and wal.stat().st_size > 0
                if not in_wal and store.stat().st_size < pages * size:
                    return f"the file is shorter ({store.stat().st_size} bytes) than its header says"
                rows = [("ok",)]
            else:
                rows = db.execute("PRAGMA quick_check(1)").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if rows != [("ok",)]:
        return rows[0][0] if rows else "quick_check gave no answer"
    return None


def _has_table(store: Path) -> bool:
    db = sqlite3.connect(f"file:{pathname2url(str(store))}?mode=ro", uri=True)
    try:
        return bool(
            db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
            ).fetchone()[0]
        )
    finally:
        db.close()
