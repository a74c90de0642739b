"""The run report: a summary in the log and a JSON file in the archive, for people and cron.

Written to ARCHIVE_DIR/.state/reports/<start time>.json and ARCHIVE_DIR/.state/last-run.json.
A run that could not do its job (the site unreachable, most articles failed for reasons other
than being gone) is marked
failed, and `scrapy crawl` then exits with status 1.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from itemadapter import ItemAdapter
from scrapy import signals as scrapy_signals

from crawler import faults, signals
from crawler.archive.files import archive_file, write_atomic
from crawler.archive.store import ArchiveStore
from crawler.exceptions import ArticleDropped

logger = logging.getLogger(__name__)
MAX_LISTED_ADDRESSES = 200
# The status of a run whose site no longer looks like the one the crawler knows
SITE_CHANGED = "site_changed"


class RunReport:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.new: list[str] = []
        self.updated: list[str] = []
        self.failed: dict[str, dict] = {}
        self.images_failed: list[dict] = []
        self.invalid: list[dict] = []
        connect = crawler.signals.connect
        connect(self.page_failed, signal=signals.page_failed)
        connect(self.image_failed, signal=signals.image_failed)
        connect(self.item_scraped, signal=scrapy_signals.item_scraped)
        connect(self.item_dropped, signal=scrapy_signals.item_dropped)
        connect(self.spider_closed, signal=scrapy_signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def page_failed(self, url: str, reason: str, kind: str, gone: bool = False) -> None:
        # By address: a page that fails twice in a run is one failure, with its last reason
        self.failed[url] = {"url": url, "kind": kind, "reason": reason, "gone": gone}

    def failed_articles(self) -> list[dict]:
        return [f for f in self.failed.values() if f["kind"] == "article"]

    def _is_distributed_worker(self) -> bool:
        return hasattr(self.crawler.spider, "is_archived_elsewhere")

    def judge(self, articles: dict, fetched: int) -> tuple[str, str | None]:
        """(status, problem) of a run that ran to its end."""
        get = self.crawler.stats.get_value
        days_begun = get("ntd/days/begun", 0)
        parsed = get("ntd/archive_pages/parsed", 0)
        empty = get("ntd/days/empty", 0)
        links = get("ntd/listing/articles", 0) + get("ntd/listing/other_day", 0)
        # A distributed worker walks only the days it takes from the shared queue: one that
        # took only an empty day still archives the articles that other workers listed
        listed_elsewhere = fetched and self._is_distributed_worker()
        if days_begun and not parsed and empty == days_begun and not listed_elsewhere:
            return SITE_CHANGED, "no day of the range has an archive page (every one answers 404)"
        if parsed and not links:
            return SITE_CHANGED, "its archive pages link to no article"
        # The range's articles this run fetched or found archived: an ordinary re-run that finds
        # one broken page among archived ones is not a changed site, nor a failed run
        known = fetched + articles["already_archived"]
        if len(self.invalid) > known:
            return SITE_CHANGED, "its article pages yield no title or body"
        if get("ntd/archive_pages/failed", 0) and not parsed and not empty and not fetched:
            # (a resumed job may have no day left to walk: that is not an unreachable site)
            return "failed", "the site could not be reached"
        # Articles the site removed (404, 410) are reported, and never fail a run by themselves
        failed_not_gone = articles["failed"] - articles["gone"]
        if failed_not_gone > known:
            return "failed", "most articles failed"
        return "ok", None

    def image_failed(self, url: str, article_url: str, reason: str) -> None:
        self.images_failed.append({"url": url, "article": article_url, "reason": reason})

    def item_scraped(self, item, response=None, spider=None) -> None:
        adapter = ItemAdapter(item)
        outcome = self.updated if adapter.get("outcome") == "updated" else self.new
        outcome.append(adapter.get("url"))

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        if getattr(exception, "reason", None) == ArticleDropped.INVALID:
            self.invalid.append({"url": ItemAdapter(item).get("url"), "reason": str(exception)})

    def build(self, reason: str) -> dict:
        stats = self.crawler.stats
        spider = self.crawler.spider
        started = stats.get_value("start_time")
        finished = dt.datetime.now(dt.UTC)
        days = []
        store = ArchiveStore.of_crawler(self.crawler)
        for day in spider.days_to_walk:
            # Listed by any run, this one or an earlier (a killed one included)
            listed = store.listed_ids(spider.lang, day.isoformat())
            archived = store.archived_ids(spider.lang, day.isoformat())
            # A distributed worker: what another worker archived is not missing
            if self._is_distributed_worker():
                archived |= {i for i in listed - archived if spider.is_archived_elsewhere(i)}
            missing = sorted(listed - archived)
            days.append(
                {
                    "day": day.isoformat(),
                    "listed": len(listed),
                    "archived": len(archived & listed),
                    "archived_total": len(archived),
                    "not_archived": len(missing),
                    "missing": missing[:MAX_LISTED_ADDRESSES],
                    # Every article its listing showed is archived
                    "done": not missing,
                }
            )
        get = stats.get_value
        failed = self.failed_articles()
        articles = {
            "new": get("ntd/articles/new", 0),
            "updated": get("ntd/articles/updated", 0),
            "unchanged": get("ntd/articles/unchanged", 0),
            "already_archived": get("ntd/articles/already_archived", 0),
            # Each article once, however often it failed in the run
            "failed": len(failed) + len(self.invalid),
            "gone": sum(1 for f in failed if f["gone"]),
        }
        fetched = articles["new"] + articles["updated"] + articles["unchanged"]
        status, problem = self.judge(articles, fetched)
        if reason != "finished":
            # Ctrl-C, SIGTERM, a close requested by an extension: the job is not done
            status, problem = "interrupted", f"the run was stopped ({reason})"
        disk_full = stats.get_value(faults.STAT)
        if disk_full:
            # crawler/faults.py: the run stopped, or its index pages could not be written
            status, problem = "disk_full", f"the disk is full: {disk_full}"
        return {
            "status": status,
            "finish_reason": reason,
            "problem": problem,
            "started": started.isoformat() if started else None,
            "finished": finished.isoformat(),
            "duration_seconds": round((finished - started).total_seconds(), 3) if started else None,
            "lang": spider.lang,
            "days_in_range": len(spider.days_to_walk),
            "days_walked": get("ntd/days/walked", 0),
            "days": days,
            "articles": articles,
            "new": self.new[:MAX_LISTED_ADDRESSES],
            "updated": self.updated[:MAX_LISTED_ADDRESSES],
            "failed": ([*self.failed.values()] + self.invalid)[:MAX_LISTED_ADDRESSES],
            "images": {
                "stored": get("ntd/images/stored", 0),
                "failed": get("ntd/images/failed", 0),
                "failures": self.images_failed[:MAX_LISTED_ADDRESSES],
            },
        }

    def spider_closed(self, spider, reason) -> None:
        report = self.build(reason)
        self.crawler.stats.set_value("ntd/run/status", report["status"])
        if report["status"] == SITE_CHANGED:
            logger.error(
                "The site no longer looks like the site this crawler knows: %s. Its addresses "
                "or markup may have changed (docs/site.md, 'When the site changes its markup')",
                report["problem"],
            )
        data = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
        stamp = (
            report["started"][:19].replace(":", "").replace("-", "") if report["started"] else "run"
        )
        for path in (f".state/reports/{stamp}Z.json", ".state/last-run.json"):
            write_atomic(archive_file(self.archive_dir, path), data)
        a, i = report["articles"], report["images"]
        gaps = sum(d["not_archived"] for d in report["days"])
        log = logger.info if report["status"] in ("ok", "interrupted") else logger.error
        log(
            "Run %s%s: %d of %d days walked; articles new %d, updated %d, unchanged %d, "
            "already archived %d, failed %d; images stored %d, failed %d; %d listed articles "
            "not archived; %.1f s. Report: %s",
            report["status"],
            f" ({report['problem']})" if report["problem"] else "",
            report["days_walked"],
            report["days_in_range"],
            a["new"],
            a["updated"],
            a["unchanged"],
            a["already_archived"],
            a["failed"],
            i["stored"],
            i["failed"],
            gaps,
            report["duration_seconds"] or 0,
            archive_file(self.archive_dir, ".state/last-run.json"),
        )
