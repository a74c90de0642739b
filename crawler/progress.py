"""Progress of a run, one log line every PROGRESS_INTERVAL seconds and one at the end: what
someone watching a month-long backfill wants to see (Scrapy's own line counts pages and items).

    Progress: 12/30 days walked, 340 articles archived of 402 listed, 3 failed,
    118 articles/min, about 9 min left
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

logger = logging.getLogger(__name__)


class ProgressLog:
    def __init__(self, crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        if not interval:
            raise NotConfigured
        progress = cls(crawler, interval)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        self.task = create_looping_call(self.log)
        # The first line after one interval, not at once
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider, reason) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.log()

    def figures(self) -> dict:
        get = self.crawler.stats.get_value
        spider = self.crawler.spider
        minutes = max(time.monotonic() - self.started, 1e-9) / 60
        walked_now = get("ntd/days/walked", 0)
        walked = walked_now + get("ntd/days/walked_before_resuming", 0)
        in_range = len(getattr(spider, "days_to_walk", ()))
        archived = get("ntd/articles/new", 0) + get("ntd/articles/updated", 0)
        left = None
        if walked_now and in_range > walked:
            left = (in_range - walked) * minutes / walked_now
        return {
            "walked": walked,
            "in_range": in_range,
            "archived": archived,
            "listed": get("ntd/listing/articles", 0) + get("ntd/articles/listed_earlier", 0),
            "failed": get("ntd/articles/failed", 0) + get("ntd/articles/invalid", 0),
            "per_minute": archived / minutes,
            "minutes_left": left,
        }

    def log(self) -> None:
        f = self.figures()
        left = "" if f["minutes_left"] is None else f", about {f['minutes_left']:.0f} min left"
        logger.info(
            "Progress: %d/%d days walked, %d articles archived of %d listed, %d failed, "
            "%.0f articles/min%s",
            f["walked"],
            f["in_range"],
            f["archived"],
            f["listed"],
            f["failed"],
            f["per_minute"],
            left,
        )
