"""The archive made again from its stored pages (`scrapy reextract`): no request, the same loader
and the same item pipelines as a crawl, so only the articles whose extraction now differs are
rewritten, and the index pages they appear on."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor

from crawler.items import Article
from crawler.rawpages.reextraction import articles_of_day
from crawler.rawpages.warcfiles import stored_days
from crawler.spiders.ntd import NtdSpider

# What a crawl has and a re-extraction must not: requests (robots.txt, pictures), capture,
# retried pictures, the run report and progress of a crawl (`scrapy reextract` reports itself)
_REPLACED = {
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.rawpages.capture.RawPagesMiddleware": None,
        "crawler.rawpages.reextraction.NoRequestsMiddleware": 10,
    },
    "SPIDER_MIDDLEWARES": {"crawler.middlewares.RetryFailedImagesMiddleware": None},
    "EXTENSIONS": {
        "crawler.report.RunReport": None,
        "crawler.progress.ProgressLog": None,
        "crawler.jobfeed.ResumedJobFeed": None,
    },
    "ITEM_PIPELINES": {
        "crawler.pipelines.ArticleHistoryPipeline": None,
        "crawler.rawpages.reextraction.ArchivedTimesPipeline": 250,
    },
}


class NtdReextractSpider(NtdSpider):
    name = "ntd-reextract"
    arguments = ("start", "end", "days", "lang")

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        settings.set("ROBOTSTXT_OBEY", False, priority="spider")
        settings.set("RAW_PAGES", False, priority="spider")
        for name, changes in _REPLACED.items():
            settings.set(name, {**settings.getdict(name), **changes}, priority="spider")

    async def start(self):
        archive_dir = self.settings["ARCHIVE_DIR"]
        units = [
            str(path)
            for lang, _, path in stored_days(archive_dir, self.first_day, self.last_day)
            if lang == self.lang
        ]
        self.crawler.stats.set_value("ntd/reextract/days", len(units))
        processes = self.settings.getint("REEXTRACT_PROCESSES") or os.cpu_count() or 1
        if processes < 2 or len(units) < 2:
            for unit in units:
                for entry in self._outcomes(articles_of_day(unit, self.site_url)):
                    yield entry
            return
        # Whole days to worker processes (the parsing is the CPU), the pipelines stay here;
        # a few days ahead of the pipelines at most, and in day order
        loop = asyncio.get_running_loop()
        pool = ProcessPoolExecutor(
            min(processes, len(units)), mp_context=multiprocessing.get_context("spawn")
        )
        try:
            waiting = iter(units)
            running: deque = deque()
            for unit in waiting:
                running.append(loop.run_in_executor(pool, articles_of_day, unit, self.site_url))
                if len(running) >= 2 * processes:
                    break
            while running:
                outcomes = await running.popleft()
                unit = next(waiting, None)
                if unit is not None:
                    running.append(loop.run_in_executor(pool, articles_of_day, unit, self.site_url))
                for entry in self._outcomes(outcomes):
                    yield entry
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _outcomes(self, outcomes):
        for kind, url, value in outcomes:
            if kind == "item":
                self.crawler.stats.inc_value("ntd/reextract/pages")
                yield Article(**value)
            else:
                self._failed("article", url, value)
