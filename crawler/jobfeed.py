"""The JSON lines of a resumed job: when a job that was interrupted finishes, each local JSON
lines feed of the command (`-O file.jsonl`, FEEDS) is written again with every article the job
archived or updated, in all its runs, once each, in the order it archived them.

Scrapy's feed export writes what one process scraped: a resumed job's `-O` would hold only the
part after the last interruption (and `-o` would repeat articles whose record a kill lost). The
store knows which articles the job archived (crawler/job.py), committed with their records.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals as scrapy_signals
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.misc import load_object

from crawler import signals
from crawler.archive.files import write_atomic
from crawler.archive.records import json_line
from crawler.archive.store import ArchiveStore

logger = logging.getLogger(__name__)


def local_jsonlines_feeds(settings) -> list[Path]:
    """The FEEDS entries that are one JSON lines file on this machine."""
    exporters = settings.getwithbase("FEED_EXPORTERS")
    paths = []
    for uri, options in settings.getdict("FEEDS").items():
        uri = str(uri)
        options = options or {}
        exporter = exporters.get(options.get("format"))
        # -O (overwrite) only: an -o file also holds earlier runs' lines, which are not the job's
        if exporter is None or "%(" in uri or not options.get("overwrite"):
            continue
        if not issubclass(load_object(exporter), JsonLinesItemExporter):
            continue
        parts = urlsplit(uri)
        if parts.scheme in ("", "file"):
            paths.append(Path(parts.path if parts.scheme else uri))
    return paths


class ResumedJobFeed:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.job = None
        crawler.signals.connect(self.job_started, signal=signals.job_started)
        # After the feed exports have closed their files (at spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=scrapy_signals.engine_stopped)
        crawler.signals.connect(self.spider_closed, signal=scrapy_signals.spider_closed)
        self.finished = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def job_started(self, job) -> None:
        self.job = job

    def spider_closed(self, spider, reason) -> None:
        self.finished = reason == "finished"

    def engine_stopped(self) -> None:
        if self.job is None or self.job.key is None or not self.finished:
            return
        store = ArchiveStore.in_archive(self.crawler.settings["ARCHIVE_DIR"])
        try:
            if self.job.resumed:
                records = store.job_records(self.job.key)
                data = "".join(json_line(record) for record in records).encode("utf-8")
                for path in local_jsonlines_feeds(self.crawler.settings):
                    write_atomic(path.absolute(), data)
                    logger.info(
                        "JSON lines of the whole job (%d articles, every run of it): %s",
                        len(records),
                        path,
                    )
            store.forget_job(self.job.key)
        finally:
            store.close()
