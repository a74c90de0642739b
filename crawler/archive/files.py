"""Writing into the archive: atomically, only when the bytes change, never outside it."""

from __future__ import annotations

import ctypes
import errno
import itertools
import os
import sqlite3
from pathlib import Path

from crawler.archive.paths import is_inside
from crawler.crashpoints import crash_point


class OutsideArchiveError(ValueError):
    pass


_temporary_names = itertools.count()
_made_folders: set[Path] = set()
# A file was renamed into place since the last sync_written_files(): the store must not
# commit before it is on disk
_unsynced = False

try:
    _syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    _syncfs.argtypes = [ctypes.c_int]
except (AttributeError, OSError):  # not Linux
    _syncfs = None


def is_disk_full(exc: BaseException | None) -> bool:
    """The file system (or the user's quota) has no room left: ENOSPC, EDQUOT, or SQLite's
    SQLITE_FULL."""
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def sync_written_files(folder: str | Path) -> bool:
    """Put every file written since the last call, and its folder entry, on the disk of
    `folder` (the archive): one syncfs(2) for the whole file system, instead of an fsync of
    each file and each folder. The store calls it before each commit, so a power cut never
    leaves a record whose files are not on disk. True if there was anything to sync."""
    global _unsynced
    if not _unsynced:
        return False
    _unsynced = False
    if _syncfs is None:
        os.sync()
        return True
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if _syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"syncfs: {os.strerror(code)}", str(folder))
    finally:
        os.close(fd)
    return True


def archive_file(archive_dir: str | Path, relative_path: str) -> Path:
    """The absolute path of an archive-relative path, refusing any that would leave the archive
    (absolute paths, "..", backslashes, NUL)."""
    if not is_inside(relative_path):
        raise OutsideArchiveError(f"refusing to write outside the archive: {relative_path!r}")
    return Path(os.path.abspath(archive_dir), relative_path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder and rename it into place, so that a
    reader (or a run killed half-way) sees the old file or the new one, never a part."""
    folder = path.parent
    if folder not in _made_folders:
        folder.mkdir(parents=True, exist_ok=True)
        _made_folders.add(folder)
    # Unique in this process, and O_EXCL refuses anything already there
    tmp = folder / f".tmp-{os.getpid()}-{next(_temporary_names)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        crash_point(f"write:{path}")
        os.replace(tmp, path)
    except BaseException:
        # A full disk (ENOSPC) mid-write included: no partial file stays behind
        tmp.unlink(missing_ok=True)
        raise
    global _unsynced
    _unsynced = True


def _write_all(fd: int, data: bytes) -> None:
    """os.write until all is written: a file object (os.fdopen) costs three more system calls
    per file (fstat, ioctl, lseek)."""
    rest = memoryview(data)
    while rest:
        rest = rest[os.write(fd, rest) :]


def write_if_changed(archive_dir: str | Path, relative_path: str, data: bytes) -> bool:
    """Write a file of the archive unless it already holds exactly these bytes; True if written."""
    path = archive_file(archive_dir, relative_path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True


def remove_stale_temporaries(archive_dir: str | Path, everywhere: bool = True) -> int:
    """Temporary files left by a killed run; removed at the start of the next one. Not
    `everywhere`: only those of the state folder (the archive's files need a walk of the
    whole tree, which grows with the archive)."""
    count = 0
    root = Path(archive_dir) if everywhere else Path(archive_dir, ".state")
    for tmp in root.rglob(".tmp-*"):
        tmp.unlink(missing_ok=True)
        count += 1
    return count
