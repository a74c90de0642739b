"""Spider middleware that keeps already-archived articles from being requested at all."""

from __future__ import annotations

from collections import OrderedDict

from scrapy import Request, signals
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.items import Article
from crawler.siteurls import ArticleAddress
from crawler.store import ArchiveStore

# The walk goes day by day: a few days' ids are all it needs at a time
DAYS_REMEMBERED = 8


class SkipArchivedArticlesMiddleware(BaseSpiderMiddleware):
    """Drops requests for articles that the store has (unless the spider refreshes), and for
    articles already requested in this run under another address form."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.store: ArchiveStore | None = None
        self.requested: set[str] = set()
        # Archived ids of the last days asked about: one query per day, not one per article.
        # Those archived by this run are never asked about again (see `requested`).
        self.archived_on_day: OrderedDict[tuple[str, str], set[str]] = OrderedDict()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    def spider_opened(self, spider) -> None:
        self.store = ArchiveStore.of_crawler(self.crawler)

    def get_processed_request(self, request: Request, response) -> Request | None:
        article_id = request.meta.get("article_id")
        if not article_id:
            return request
        stats = self.crawler.stats
        if article_id in self.requested:
            stats.inc_value("ntd/listing/duplicate")
            return None
        self.requested.add(article_id)
        spider = self.crawler.spider
        if getattr(spider, "refresh", False):
            return request
        # In distributed mode, other workers' archives count too (crawler/spiders/ntd_worker.py)
        archived_elsewhere = getattr(spider, "is_archived_elsewhere", None)
        if self._archived(article_id, request.cb_kwargs.get("address")) or (
            archived_elsewhere is not None and archived_elsewhere(article_id)
        ):
            stats.inc_value("ntd/articles/already_archived")
            return None
        return request

    def _archived(self, article_id: str, address: ArticleAddress | None) -> bool:
        if address is None:
            return self.store.is_archived(article_id)
        day = (address.lang, address.date.isoformat())
        ids = self.archived_on_day.get(day)
        if ids is None:
            ids = self.archived_on_day[day] = self.store.archived_ids(*day)
            if len(self.archived_on_day) > DAYS_REMEMBERED:
                self.archived_on_day.popitem(last=False)
        return article_id in ids


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
            yield Article(**record)
        async for entry in start:
            yield entry
