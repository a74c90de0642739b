"""The walk of the site: days → daily archive pages (and their pagination) → article pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cached_property

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler import job, signals
from crawler.archive.store import ArchiveStore
from crawler.crashpoints import crash_point
from crawler.exceptions import download_failure
from crawler.job import Job
from crawler.site.dates import DateArgumentError, crawl_days
from crawler.site.loaders import listing_links, load_article, next_page_link
from crawler.site.urls import (
    LANGS,
    ArticleAddress,
    absolute_url,
    archive_day_of,
    archive_day_url,
    article_url,
    host_of,
    parse_article_url,
)
from crawler.wanted import WantedArticles

# Arguments that Scrapy and Scrapyd pass to every spider: not the user's
ADDED_BY_SCRAPY = frozenset({"_job"})
# An article the site answers these for was removed: it is reported, and never fails a run
GONE_STATUSES = frozenset({404, 410})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class SpiderArgumentError(ValueError):
    """A bad `-a` argument: the run stops before any request."""


def parse_bool(name: str, value: str | bool | None) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SpiderArgumentError(f"{name}={value!r} must be true or false")


class NtdSpider(scrapy.Spider):
    name = "ntd"
    # The `-a NAME=value` arguments it takes
    arguments = ("start", "end", "days", "lang", "refresh")

    def __init__(
        self,
        start: str | None = None,
        end: str | None = None,
        days: str | None = None,
        lang: str = "gb",
        refresh: str | bool | None = None,
        **kwargs,
    ) -> None:
        self.days_to_walk = self.check_arguments(
            start=start, end=end, days=days, lang=lang, refresh=refresh, **kwargs
        )
        super().__init__(**kwargs)
        self.lang = lang
        self.refresh = parse_bool("refresh", refresh)
        self.first_day = self.days_to_walk[0]
        self.last_day = self.days_to_walk[-1]
        self.archive_pages_requested: set[str] = set()
        self.job: Job | None = None

    @classmethod
    def check_arguments(cls, **given) -> list[dt.date]:
        """The days to walk; SpiderArgumentError naming the first bad argument."""
        given = {name: value for name, value in given.items() if value is not None}
        unknown = sorted(set(given) - set(cls.arguments) - ADDED_BY_SCRAPY)
        if unknown:
            raise SpiderArgumentError(
                f"unknown argument {unknown[0]}={given[unknown[0]]!r}: the spider {cls.name} "
                f"takes {', '.join(cls.arguments)}"
            )
        lang = given.get("lang", "gb")
        if lang not in LANGS:
            raise SpiderArgumentError(f"lang={lang!r} must be one of: {', '.join(LANGS)}")
        parse_bool("refresh", given.get("refresh"))
        try:
            return crawl_days(given.get("start"), given.get("end"), given.get("days"))
        except DateArgumentError as exc:
            raise SpiderArgumentError(str(exc)) from None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.site_url = crawler.settings.get("SITE_URL").rstrip("/")
        spider.site_hosts = frozenset({host_of(spider.site_url)})
        spider.page_max_bytes = crawler.settings.getint("PAGE_MAX_BYTES")
        return spider

    @cached_property
    def store(self) -> ArchiveStore:
        """Opened on first use: the run holds the archive's lock by then."""
        return ArchiveStore.of_crawler(self.crawler)

    @cached_property
    def wanted(self) -> WantedArticles:
        return WantedArticles(
            self.store,
            self.refresh,
            getattr(self, "claim", None),
            getattr(self, "is_archived_elsewhere", None),
        )

    async def start(self):
        first, last = self.first_day.isoformat(), self.last_day.isoformat()
        self.job = job.start_or_resume(
            self.settings.get("JOBDIR"), {"lang": self.lang, "start": first, "end": last}
        )
        self.crawler.signals.send_catch_log(signals.job_started, job=self.job)
        # What earlier runs (a killed one included) listed and did not archive: requested first
        for _, url in self.store.listed_not_archived(self.lang, first, last):
            address = parse_article_url(url)
            if address is not None and not self.wanted.skip_reason(address):
                self.crawler.stats.inc_value("ntd/articles/listed_earlier")
                yield self._article_request(address)
        walked = set()
        if self.job.resumed:
            walked = self.store.days_walked_since(self.lang, first, last, self.job.started)
        for day in self.days_to_walk:
            if day.isoformat() in walked:
                # This job read the day's listing to its end before it was interrupted
                self.crawler.stats.inc_value("ntd/days/walked_before_resuming")
                continue
            request = self._archive_request(archive_day_url(self.site_url, self.lang, day), day, 1)
            if request is not None:
                self.crawler.stats.inc_value("ntd/days/begun")
                yield request

    def closed(self, reason: str) -> None:
        if reason == "finished" and self.job is not None:
            job.finish(self.settings.get("JOBDIR"))

    def _day_walked(self, day: dt.date) -> None:
        """The day's listing was read to its end (its last page, or a 404: no stories)."""
        self.store.mark_day_walked(self.lang, day.isoformat(), job.now())
        self.crawler.stats.inc_value("ntd/days/walked")

    def _article_request(self, address: ArticleAddress) -> scrapy.Request:
        return scrapy.Request(
            article_url(self.site_url, address.lang, address.date, address.id),
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"address": address},
            meta={"download_maxsize": self.page_max_bytes},
            # Articles before more archive pages: fewer requests in flight, less memory
            priority=10,
            dont_filter=True,
        )

    def _archive_request(
        self,
        url: str,
        day: dt.date,
        page: int,
        first: dt.date | None = None,
        last: dt.date | None = None,
    ) -> scrapy.Request | None:
        # Requests bypass Scrapy's dupefilter (dont_filter): under JOBDIR it records a request
        # as seen before it is done, so a killed run would never fetch its in-flight pages
        # again. Archive pages are guarded here instead (pagination that loops back), and
        # articles by their id (crawler/wanted.py).
        if url in self.archive_pages_requested:
            self.crawler.stats.inc_value("ntd/archive_pages/loop")
            return None
        self.archive_pages_requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_archive,
            errback=self.archive_failed,
            cb_kwargs={
                "day": day,
                "page": page,
                "first": first or self.first_day,
                "last": last or self.last_day,
            },
            # A day with no stories answers 404 (docs/site.md)
            meta={"download_maxsize": self.page_max_bytes}
            | ({"handle_httpstatus_list": [404]} if page == 1 else {}),
            dont_filter=True,
        )

    def parse_archive(
        self, response: Response, day: dt.date, page: int, first: dt.date, last: dt.date
    ):
        stats = self.crawler.stats
        if response.status == 404:
            self.logger.info("No stories on %s (404 at %s)", day, response.url)
            stats.inc_value("ntd/days/empty")
            self._day_walked(day)
            return
        if not isinstance(response, TextResponse):
            self._failed("archive_page", response.url, "not an HTML page")
            return
        if host_of(response.url) not in self.site_hosts:
            self._failed(
                "archive_page", response.request.url, f"redirected off the site to {response.url}"
            )
            return
        stats.inc_value("ntd/archive_pages/parsed")
        counts: Counter[str] = Counter()  # counted once per page: StatsCollector calls are slow
        listed: list[ArticleAddress] = []
        for href in listing_links(response):
            address = parse_article_url(absolute_url(response.url, href))
            if address is None or address.lang != self.lang:
                counts["ntd/listing/not_an_article"] += 1
                continue
            if not first <= address.date <= last:
                # Sticky blocks link to stories of other days (docs/site.md)
                counts["ntd/listing/other_day"] += 1
                continue
            counts["ntd/listing/articles"] += 1
            listed.append(address)
        # Durable before any of them is requested: an article in flight when the run is killed
        # is requested again by the next run (`start`)
        self.store.record_listing(
            (a.id, a.lang, a.date.isoformat(), article_url(self.site_url, a.lang, a.date, a.id))
            for a in listed
        )
        for address in listed:
            skip = self.wanted.skip_reason(address)
            if skip:
                counts[skip] += 1
                continue
            yield self._article_request(address)
        for key, count in counts.items():
            stats.inc_value(key, count)
        next_page = None
        next_href = next_page_link(response)
        if next_href:
            next_url = absolute_url(response.url, next_href)
            if archive_day_of(next_url) == (self.lang, day):
                next_page = self._archive_request(next_url, day, page + 1, first, last)
        if next_page is None:
            self._day_walked(day)
        else:
            yield next_page

    def parse_article(self, response: Response, address) -> list:
        # A list, not a generator: Scrapy handles a plain callback's list with the least work
        crash_point("article-response")
        if not isinstance(response, TextResponse):
            self._failed("article", response.url, "not an HTML page")
            return []
        if host_of(response.url) not in self.site_hosts:
            # The site does not move its articles to other hosts: whatever is there is not it
            self._failed("article", address.url, f"redirected off the site to {response.url}")
            return []
        return [load_article(response, address, self.site_url, self.site_hosts)]

    def archive_failed(self, failure: Failure):
        self._failed("archive_page", *_address_and_reason(failure))

    def article_failed(self, failure: Failure):
        self._failed("article", *_address_and_reason(failure))

    def _failed(self, kind: str, url: str, reason: str, status: int | None = None) -> None:
        what = "Article" if kind == "article" else "Archive page"
        self.logger.error("%s failed: %s (%s)", what, url, reason)
        self.crawler.stats.inc_value(f"ntd/{kind}s/failed")
        self.crawler.signals.send_catch_log(
            signals.page_failed, url=url, reason=reason, kind=kind, gone=status in GONE_STATUSES
        )


def _address_and_reason(failure: Failure) -> tuple[str, str, int | None]:
    """The address that was asked for, why it failed (after redirects, where it went) and the
    HTTP status it answered with, if it answered."""
    request = failure.request
    response = getattr(failure.value, "response", None)
    status = response.status if response is not None else None
    timeout = request.meta.get("download_timeout")
    reason = f"HTTP {status}" if response is not None else download_failure(failure.value, timeout)
    redirects = request.meta.get("redirect_urls")
    if redirects:
        return redirects[0], f"{reason}, after a redirect to {request.url}", status
    return request.url, reason, status
