"""Articles made again from the stored pages, without a request: a day's pages at a time, each
the response the spider got (decoded as Scrapy decodes it) put through the same loader; and
what a re-extraction does differently from a crawl (no request leaves; the times kept)."""

from __future__ import annotations

from pathlib import Path

from itemadapter import ItemAdapter
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Request, TextResponse
from scrapy.responsetypes import responsetypes

from crawler.archive.store import ArchiveStore
from crawler.rawpages.warcfiles import StoredPage, latest_pages
from crawler.site.loaders import load_article
from crawler.site.urls import host_of, parse_article_url


def stored_response(page: StoredPage):
    """The response as the spider's callback got it in the crawl."""
    headers = Headers(page.headers)
    cls = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
    return cls(
        url=page.url,
        status=page.status,
        headers=headers,
        body=page.body,
        request=Request(page.url),
    )


def articles_of_day(path: str, site_url: str) -> list[tuple[str, str, dict | str]]:
    """One unit of work (run in a worker process for large ranges): the articles of one day
    file, by address, each ("item", url, Article fields) or ("failed", url, reason). An address
    the site never answered with a 200 is left out: no article was archived from it."""
    site_hosts = frozenset({host_of(site_url)})
    outcomes = []
    for url, page in sorted(latest_pages(Path(path)).items()):
        address = parse_article_url(url)
        if address is None or page.status != 200:
            continue
        response = stored_response(page)
        # The checks of NtdSpider.parse_article
        if not isinstance(response, TextResponse):
            outcomes.append(("failed", url, "not an HTML page"))
        elif host_of(response.url) not in site_hosts:
            outcomes.append(("failed", url, f"not on the site {site_url}"))
        else:
            item = load_article(response, address, site_url, site_hosts)
            outcomes.append(("item", url, dict(item)))
    return outcomes


class NoRequestsMiddleware:
    """Downloader middleware of a re-extraction: nothing leaves (a picture that is not stored
    stays missing, to be fetched by the next crawl over its day)."""

    def process_request(self, request: Request, spider=None):
        raise IgnoreRequest(f"a re-extraction makes no request ({request.url})")


class ArchivedTimesPipeline:
    """In place of ArticleHistoryPipeline: a re-extraction is not a change on the site, so an
    article keeps the times it was archived with, and gets a newer `modified` only from the
    page itself (never the moment of the re-extraction)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        stored = ArchiveStore.of_crawler(self.crawler).record(adapter["id"])
        if stored is None:
            return item
        adapter["published"] = stored.get("published") or adapter.get("published")
        page_modified = adapter.get("modified")
        if not page_modified or page_modified <= (stored.get("modified") or ""):
            adapter["modified"] = stored.get("modified")
        return item
