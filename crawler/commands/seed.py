"""`scrapy seed --start D [--end D] [--lang gb]`: put a backfill's days into the Redis queue
that the `ntd-worker` spiders take their work from (REDIS_URL)."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.distributed import (
    ARCHIVED_KEY,
    CLAIMED_KEY,
    DAYS_KEY,
    RedisUnreachable,
    reachable_redis,
    seed_entry,
)
from crawler.site.dates import DateArgumentError, crawl_days
from crawler.site.urls import LANGS


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "--start YYYY-MM-DD [--end YYYY-MM-DD] [--lang gb|b5]"

    def short_desc(self) -> str:
        return "Queue a date range for the distributed workers (spider ntd-worker)"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--start", required=True)
        parser.add_argument("--end")
        parser.add_argument("--lang", default="gb")

    def run(self, args, opts) -> None:
        if opts.lang not in LANGS:
            raise UsageError(f"lang={opts.lang!r} must be one of: {', '.join(LANGS)}")
        try:
            days = crawl_days(opts.start, opts.end, None)
        except DateArgumentError as exc:
            raise UsageError(str(exc)) from None
        entries = [seed_entry(day, days[0], days[-1], opts.lang) for day in days]
        try:
            server = reachable_redis(self.settings)
        except RedisUnreachable as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        # Claims of articles not archived are released: a worker that died holding them left
        # them to be fetched by the next one (a live worker's pages in flight may be fetched
        # twice; `scrapy merge` keeps one)
        server.sunionstore(CLAIMED_KEY, [ARCHIVED_KEY])
        server.rpush(DAYS_KEY, *entries)
        print(f"{len(entries)} days queued ({days[0]} to {days[-1]}, {opts.lang})", file=sys.stderr)
