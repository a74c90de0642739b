"""The baseline: a spider that requests exactly the pages the crawler requests (archive pages
with their pagination, article pages, featured images and the pictures inside article bodies)
and does nothing with them."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

import scrapy

from crawler.site.body import DROPPED_CLASSES, DROPPED_TAGS

# The article body, as the crawler finds it (crawler/site/loaders.py _body_element): the first match
_BODY = ('div.post_content[itemprop="articleBody"]', "div.post_content", '[itemprop="articleBody"]')
# Its pictures, but not those inside what the crawler drops (scripts, ads, ...):
# crawler/site/body.py _is_dropped
_DROPPED = " or ".join(
    [f"self::{tag}" for tag in sorted(DROPPED_TAGS)]
    + [
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
        for name in sorted(DROPPED_CLASSES)
    ]
)
_BODY_IMG = f".//img[not(ancestor-or-self::*[{_DROPPED}])]"


class BareSpider(scrapy.Spider):
    name = "bare"
    # None of the project's components: it runs inside the project (for its Scrapy settings),
    # whose downloader middleware would otherwise capture every page it fetches (RAW_PAGES)
    custom_settings = {
        "ITEM_PIPELINES": {},
        "SPIDER_MIDDLEWARES": {},
        "DOWNLOADER_MIDDLEWARES": {},
        "EXTENSIONS": {},
    }

    def __init__(self, start: str, end: str, site_url: str, **kwargs):
        super().__init__(**kwargs)
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        self.days = [first + dt.timedelta(i) for i in range((last - first).days + 1)]
        self.site_url = site_url.rstrip("/")
        self.articles = 0
        # Every picture once per run, featured or in a body, as ArticleImagesPipeline fetches
        self.images: set[str] = set()

    async def start(self):
        for day in self.days:
            yield scrapy.Request(f"{self.site_url}/gb/{day:%Y/%m/%d}/", self.parse_archive)

    def parse_archive(self, response):
        for href in response.css("div.one_post div.title a::attr(href)").getall():
            yield response.follow(href, self.parse_article, priority=10)
        next_page = response.css("a.next.page-numbers::attr(href)").get()
        if next_page:
            yield response.follow(next_page, self.parse_archive)

    def parse_article(self, response):
        self.articles += 1
        src = response.css("div.featured_image figure img::attr(src)").get()
        if src and src.strip():
            yield from self.image(urljoin(response.url, src.strip()))
        body = next((found for css in _BODY if (found := response.css(css))), None)
        if body:
            for img in body[0].xpath(_BODY_IMG):
                # crawler/site/body.py _image: src, else data-src; absolute http(s) only
                address = img.attrib.get("src") or img.attrib.get("data-src")
                if address and address.strip():
                    yield from self.image(urljoin(response.url, address.strip()))

    def image(self, url: str):
        if url.startswith(("http://", "https://")) and url not in self.images:
            self.images.add(url)
            yield scrapy.Request(url, self.parse_image, priority=20, dont_filter=True)

    def parse_image(self, response):
        return None

    def closed(self, reason):
        self.logger.info("bare: %d articles, %d images", self.articles, len(self.images))
