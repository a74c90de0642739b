"""Objects of which a crawl has one, shared by its spider, middlewares, pipelines and
extensions: made on first use, closed when the spider closes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from scrapy import signals

T = TypeVar("T")


def one_per_crawl(crawler, key: str, make: Callable[[], T], close: Callable[[T], None]) -> T:
    found = crawler.__dict__.get(key)
    if found is None:
        found = make()
        crawler.__dict__[key] = found

        def closed(spider=None) -> None:
            crawler.__dict__.pop(key, None)
            close(found)

        crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
    return found
