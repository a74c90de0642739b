"""Downloader middleware: every listing and article response, with its request, into the day's
WARC file (crawler/rawpages/warcfiles.py). RAW_PAGES=false turns it off."""

from __future__ import annotations

import datetime as dt
import logging
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from warcio.statusandheaders import StatusAndHeaders

from crawler.rawpages.warcfiles import WarcDayFiles, day_file, day_of_page, repair_interrupted

logger = logging.getLogger(__name__)

# The framing Twisted has undone: the stored body is not chunked any more (Common Crawl's name)
RENAMED_HEADERS = {b"transfer-encoding": "X-Crawler-Transfer-Encoding"}


class RawPagesMiddleware:
    """Placed next to the downloader (DOWNLOADER_MIDDLEWARES, 950): it sees each response as it
    arrived, before Scrapy decompresses it, retries it or follows a redirect, so a retried 503
    and a 301 are kept too, and the body is the bytes the site sent."""

    def __init__(self, crawler) -> None:
        if not crawler.settings.getbool("RAW_PAGES"):
            raise NotConfigured
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.stats = crawler.stats
        self.files: WarcDayFiles | None = None
        # (lang, day) -> its file, made once a day rather than once a response
        self.day_files: dict[tuple, Path] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider=None) -> None:
        # The crawl holds the archive's lock by now: no other run is appending
        for name, cut in repair_interrupted(self.archive_dir).items():
            logger.warning("Raw pages: cut %d bytes of a record left incomplete in %s", cut, name)
        self.files = WarcDayFiles(self.archive_dir)

    def spider_closed(self, spider=None) -> None:
        if self.files is not None:
            self.files.close()

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        where = day_of_page(request.url)
        if where is None or self.files is None:
            return response
        path = self.day_files.get(where)
        if path is None:
            path = self.day_files[where] = day_file(self.archive_dir, *where)
        written = self.files.write_page(
            path,
            request.url,
            dt.datetime.now(dt.UTC),
            _request_head(request),
            _response_head(response),
            response.body,
            str(response.ip_address) if response.ip_address else None,
        )
        self.stats.inc_value("ntd/raw_pages/responses")
        self.stats.inc_value("ntd/raw_pages/bytes", written)
        return response


def _header_list(headers) -> list[tuple[str, str]]:
    return [
        (RENAMED_HEADERS.get(name.lower()) or name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def _request_head(request: Request) -> StatusAndHeaders:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # The HTTP client adds Host from the address; Scrapy's request does not hold it
    headers = [("Host", parts.netloc), *_header_list(request.headers)]
    return StatusAndHeaders(
        f"{request.method} {target} HTTP/1.1", headers, protocol="HTTP/1.1", is_http_request=True
    )


def _response_head(response: Response) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    return StatusAndHeaders(
        f"{response.status} {reason}".rstrip(),
        _header_list(response.headers),
        protocol=response.protocol or "HTTP/1.1",
    )
