"""A full disk stops the run cleanly (README, "Exit statuses": 7).

When a write into the archive (a file, or the store's commit) fails because the file system
has no room left, the run stops at once: one log line names the cause, the requests still
queued are dropped, and `scrapy crawl` exits with status 7. Nothing is left half-written (files
are written through a temporary file, removed when the write fails; the store commits after
the files), so once space is freed the same command continues: what was recorded is not
fetched again, what was written and not recorded is fetched again and found already right.

The items and callbacks still in flight fail the same way while the spider closes: their
tracebacks, and those of the index pages and run report that cannot be written, are kept out
of the log (a full disk is one line, not a traceback per article).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from crawler.archive.files import is_disk_full

logger = logging.getLogger(__name__)
# The reason the spider is closed with, and the run report's status
DISK_FULL = "disk_full"
STAT = "ntd/run/disk_full"
QUIET_LOGGERS = (
    "scrapy.core.scraper",
    "scrapy.core.engine",
    "scrapy.utils.signal",
    "scrapy.middleware",
    "scrapy.utils.defer",
    "scrapy.crawler",
    "twisted",
)


class _QuietDiskFull(logging.Filter):
    """Log records carrying a disk-full exception: dropped, after telling the guard."""

    def __init__(self, guard: DiskFullGuard) -> None:
        super().__init__()
        self.guard = guard

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not is_disk_full(exc):
            return True
        self.guard.trip(exc)
        return False


class DiskFullGuard:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.tripped = False
        self.filter = _QuietDiskFull(self)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        # On the loggers that report errors of items, callbacks, pipelines and signal handlers
        # (a filter on a logger sees the records logged through it, not its children's)
        for name in QUIET_LOGGERS:
            logging.getLogger(name).addFilter(self.filter)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_error(self, item, response, spider, failure) -> None:
        if is_disk_full(failure.value):
            self.trip(failure.value)

    def spider_error(self, failure, response, spider) -> None:
        if is_disk_full(failure.value):
            self.trip(failure.value)

    def trip(self, exc: BaseException) -> None:
        if self.tripped:
            return
        self.tripped = True
        where = getattr(exc, "filename", None)
        cause = f"{exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
        self.crawler.stats.set_value(STAT, f"{cause}{f' ({where})' if where else ''}")
        logger.error(
            "Stopping: the disk is full (%s%s). Nothing is half-written; free some space "
            "and run the same command again: it continues",
            cause,
            f", writing {where}" if where else "",
        )
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if engine is not None and engine.spider is not None and slot and slot.closing is None:
            deferred_from_coro(engine.close_spider_async(reason=DISK_FULL))

    def engine_stopped(self) -> None:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).removeFilter(self.filter)
