"""Spider middleware: retries of earlier runs' failed featured images."""

from __future__ import annotations

from crawler.archive.store import ArchiveStore
from crawler.items import Article


class RetryFailedImagesMiddleware:
    """Before the walk, hands the pipelines the archived articles of the crawled days whose
    featured image failed in an earlier run, so the image is tried again without fetching the
    article page. (Only process_start: no per-response cost.)"""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        spider = self.crawler.spider
        if spider.first_day is None:  # a distributed worker: its days come later, from Redis
            async for entry in start:
                yield entry
            return
        records = ArchiveStore.of_crawler(self.crawler).records_with_failed_image(
            spider.lang, spider.first_day.isoformat(), spider.last_day.isoformat()
        )
        for record in records:
            self.crawler.stats.inc_value("ntd/images/retried")
            yield Article(**record, image_retry=True)
        async for entry in start:
            yield entry
