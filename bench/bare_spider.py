"""The baseline: a spider that requests exactly the pages the crawler requests (archive pages
with their pagination, article pages, featured images) and does nothing with them."""

from __future__ import annotations

import datetime as dt

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {
        "ITEM_PIPELINES": {},
        "SPIDER_MIDDLEWARES": {},
        "EXTENSIONS": {},
    }

    def __init__(self, start: str, end: str, site_url: str, **kwargs):
        super().__init__(**kwargs)
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        self.days = [first + dt.timedelta(i) for i in range((last - first).days + 1)]
        self.site_url = site_url.rstrip("/")
        self.articles = 0

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
        if src:
            yield response.follow(src, self.parse_image, priority=20)

    def parse_image(self, response):
        return None

    def closed(self, reason):
        self.logger.info("bare: %d articles", self.articles)
