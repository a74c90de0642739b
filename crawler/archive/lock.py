"""One run at a time per archive: an advisory lock (flock) on ARCHIVE_DIR/.state/run.lock.

The kernel drops the lock when the process ends, however it ends, so a killed run never
leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from crawler.archive.store import STATE_DIR

LOCK_FILE = "run.lock"
# Beside the lock while no process holds it and the last one released it (was not killed):
# without it, the next run looks for what a killed one may have left (crawler/archive/health.py)
RELEASED_CLEANLY = "run.lock.released"


class ArchiveBusyError(RuntimeError):
    pass


class ArchiveLock:
    def __init__(self, archive_dir: str | Path) -> None:
        self.path = Path(archive_dir) / STATE_DIR / LOCK_FILE
        self.fd: int | None = None
        self.last_holder_released = False

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise ArchiveBusyError(
                f"another run (pid {holder}) is using the archive {self.path.parent.parent}; "
                "exiting without changing it"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        released = self.path.parent / RELEASED_CLEANLY
        # False: the last holder was killed holding the lock (or this is the first run)
        self.last_holder_released = released.exists()
        released.unlink(missing_ok=True)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            (self.path.parent / RELEASED_CLEANLY).touch()
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
