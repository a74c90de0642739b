"""Distributed backfills on scrapy-redis: any number of `ntd-worker` processes, on any number of
machines, share one request queue in Redis and take the days that `scrapy seed` puts there.

Each worker writes its own archive (ARCHIVE_DIR on its own disk, with its own store) and adds
every article it has archived to a set in Redis, which all workers consult before requesting an
article; `scrapy merge` then joins the workers' archives into one (README, "Distributed")."""

from __future__ import annotations

import datetime as dt
import json

from scrapy_redis.spiders import RedisMixin

from crawler.distributed import ARCHIVED_KEY, CLAIMED_KEY, DAYS_KEY, reachable_redis
from crawler.settings import ITEM_PIPELINES
from crawler.site.urls import LANGS, archive_day_url
from crawler.spiders.ntd import NtdSpider


class NtdWorkerSpider(RedisMixin, NtdSpider):
    name = "ntd-worker"
    arguments = ("lang",)
    redis_key = DAYS_KEY
    # One day at a time (the next when idle): a worker must not hoard the days others could walk
    redis_batch_size = 1
    custom_settings = {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        # The queue outlives any one worker: a worker that stops leaves its share to the others
        "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": {**ITEM_PIPELINES, "crawler.pipelines.SharedArchivePipeline": 550},
    }

    def __init__(self, lang: str = "gb", **kwargs) -> None:
        super().__init__(lang=lang, **kwargs)
        # No range of its own: the days come from Redis, each with the range it belongs to
        self.days_to_walk = []
        self.first_day = self.last_day = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        return spider

    @staticmethod
    def check_services(settings) -> None:
        """RedisUnreachable, naming the address, when the shared queue cannot be reached."""
        reachable_redis(settings)

    async def start(self):
        """Nothing to start with: scrapy-redis hands the worker a day whenever it is idle."""
        for request in ():
            yield request

    def is_archived_elsewhere(self, article_id: str) -> bool:
        return bool(self.server.sismember(ARCHIVED_KEY, article_id))

    def claim(self, article_id: str) -> bool:
        """True if no worker had taken this article yet: it is this one's to fetch."""
        return bool(self.server.sadd(CLAIMED_KEY, article_id))

    def make_request_from_data(self, data: bytes):
        try:
            seed = json.loads(data)
            day = dt.date.fromisoformat(seed["day"])
            first = dt.date.fromisoformat(seed["start"])
            last = dt.date.fromisoformat(seed["end"])
            lang = seed.get("lang", "gb")
        except (ValueError, KeyError, TypeError):
            self.logger.error("Ignoring a malformed seed from Redis: %r", data[:200])
            return []
        if lang != self.lang or lang not in LANGS:
            self.logger.error("Ignoring a seed for lang=%s (this worker: %s)", lang, self.lang)
            return []
        if day not in self.days_to_walk:
            self.days_to_walk.append(day)
            self.crawler.stats.inc_value("ntd/days/begun")
        request = self._archive_request(
            archive_day_url(self.site_url, lang, day), day, 1, first, last
        )
        return [request] if request is not None else []
