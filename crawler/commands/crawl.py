"""`scrapy crawl`, as Scrapy's, plus what unattended users need:

- the spider's arguments are checked before anything starts: a bad one (or an unknown name)
  prints one line naming it and exits with status 2, having written nothing;
- one run at a time per archive: a second run exits with status 3 and a clear message;
- ARCHIVE_DIR must be a folder it can write in (else status 9, nothing written), on a disk
  with room (else status 7), with a sound store beside its articles (else status 8, naming
  `scrapy rebuild_store`); a disk that fills during the run stops it with status 7;
- the exit status says how the run ended (EXIT_STATUSES; the run report judges it).
"""

from __future__ import annotations

import gc
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.archive.files import is_disk_full, remove_stale_temporaries
from crawler.archive.health import (
    ArchiveProblem,
    check_store,
    check_writable,
)
from crawler.archive.lock import ArchiveBusyError, ArchiveLock
from crawler.faults import STAT as DISK_FULL_STAT

logger = logging.getLogger(__name__)

EXIT_RUN_FAILED = 1
EXIT_BAD_ARGUMENT = 2
EXIT_ARCHIVE_BUSY = 3
EXIT_DISK_FULL = 7
EXIT_STORE_DAMAGED = 8
EXIT_NOT_WRITABLE = 9
# The run report's status -> the exit status (README, "Exit statuses"); 6 is reserved for a
# failed publication
EXIT_STATUSES = {
    "ok": 0,
    "failed": EXIT_RUN_FAILED,
    "site_changed": 4,
    "interrupted": 5,
    "disk_full": EXIT_DISK_FULL,
    "publish_failed": 6,
}
EXIT_PROBLEMS = {
    ArchiveProblem.DISK_FULL: EXIT_DISK_FULL,
    ArchiveProblem.STORE: EXIT_STORE_DAMAGED,
    ArchiveProblem.NOT_WRITABLE: EXIT_NOT_WRITABLE,
}


# Python collects its young objects every 700 allocations, and a crawl allocates millions of
# short-lived ones: collections further apart cost less CPU for a little more memory (the
# figures are in the README's benchmark section)
GC_THRESHOLDS = (10_000, 10, 10)


def _collect_garbage_less_often() -> None:
    """The modules, classes and settings made at start-up live as long as the run: out of the
    collector's sight (gc.freeze); and collections further apart."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("name one spider: scrapy crawl ntd")
        assert self.crawler_process is not None
        spider_cls = self.crawler_process.spider_loader.load(args[0])
        check = getattr(spider_cls, "check_arguments", None)
        if check is not None:
            try:
                check(**opts.spargs)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENT
                return
        # A spider that needs a service (the distributed worker: Redis) says so before it starts
        check_services = getattr(spider_cls, "check_services", None)
        if check_services is not None:
            try:
                check_services(self.settings)
            except RuntimeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                self.exitcode = EXIT_RUN_FAILED
                return
        archive_dir = self.settings["ARCHIVE_DIR"]
        try:
            check_writable(archive_dir)
            with ArchiveLock(archive_dir) as lock:
                # A killed last run: the whole store checked, its temporary files looked for in
                # the whole archive; else the cheap checks and the state folder alone
                killed = not lock.last_holder_released
                check_store(archive_dir, thorough=killed)
                removed = remove_stale_temporaries(archive_dir, everywhere=killed)
                if removed:
                    logger.info("Removed %d temporary files left by an interrupted run", removed)
                crawler = self._create_crawler(args[0])
                self.crawler_process.crawl(crawler, **opts.spargs)
                _collect_garbage_less_often()
                self.crawler_process.start()
        except ArchiveBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_ARCHIVE_BUSY
            return
        except ArchiveProblem as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_PROBLEMS[exc.kind]
            return
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            print(f"error: the disk of ARCHIVE_DIR={archive_dir!r} is full", file=sys.stderr)
            self.exitcode = EXIT_DISK_FULL
            return
        status = crawler.stats.get_value("ntd/run/status")
        if crawler.stats.get_value(DISK_FULL_STAT):
            # Stopped by a full disk, or its index pages could not all be written
            self.exitcode = EXIT_DISK_FULL
        elif self.crawler_process.bootstrap_failed or status is None:
            self.exitcode = EXIT_RUN_FAILED
        else:
            self.exitcode = EXIT_STATUSES[status]
        # The run is over and every file is closed: the interpreter's last garbage collection
        # at exit would walk the whole heap for nothing
        gc.freeze()
