"""`scrapy reextract [--start D] [--end D] [--lang gb]`: rebuild the articles of a range from
the stored pages (crawler/rawpages/), without a request, through the crawl's loader and item
pipelines; only what changed is rewritten. Prints the articles that changed."""

from __future__ import annotations

import sys

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.lock import ArchiveBusyError, ArchiveLock
from crawler.archive.store import store_path
from crawler.commands import date_range
from crawler.commands.crawl import EXIT_ARCHIVE_BUSY, EXIT_BAD_ARGUMENT, EXIT_RUN_FAILED
from crawler.rawpages.warcfiles import repair_interrupted, stored_days
from crawler.site.urls import LANGS

SPIDER = "ntd-reextract"


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--start YYYY-MM-DD] [--end YYYY-MM-DD] [--lang gb|b5]"

    def short_desc(self) -> str:
        return "Rebuild the archived articles of a range from the stored pages, without a request"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--start", help="first address date (default: the first stored)")
        parser.add_argument("--end", help="last address date (default: start, or the last stored)")
        parser.add_argument("--lang", default="gb", help="gb or b5 (default gb)")
        parser.add_argument(
            "--processes", type=int, help="worker processes (default REEXTRACT_PROCESSES)"
        )

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        if opts.processes is not None:
            self.settings.set("REEXTRACT_PROCESSES", opts.processes, priority="cmdline")

    def run(self, args, opts) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        first, last = date_range(opts)
        if opts.lang not in LANGS:
            raise UsageError(f"lang={opts.lang!r} must be one of: {', '.join(LANGS)}")
        archive_dir = self.settings["ARCHIVE_DIR"]
        if not store_path(archive_dir).exists():
            print(f"error: no archive at {archive_dir!r}", file=sys.stderr)
            self.exitcode = EXIT_BAD_ARGUMENT
            return
        try:
            with ArchiveLock(archive_dir):
                repair_interrupted(archive_dir)
                stored = [
                    d for lang, d, _ in stored_days(archive_dir, first, last) if lang == opts.lang
                ]
                if not stored:
                    print("No stored pages in the range: nothing to re-extract", file=sys.stderr)
                    return
                changed = self.reextract(
                    str(first or stored[0]), str(last or stored[-1]), opts.lang
                )
        except ArchiveBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_ARCHIVE_BUSY
            return
        if changed is None:
            self.exitcode = EXIT_RUN_FAILED
            return
        for outcome, url in changed:
            print(f"{outcome}\t{url}")
        print(f"{len(changed)} articles changed", file=sys.stderr)

    def reextract(self, start: str, end: str, lang: str) -> list[tuple[str, str]] | None:
        """(new or updated, address) of each article that changed; None if the run failed."""
        changed: list[tuple[str, str]] = []

        def scraped(item, response=None, spider=None) -> None:
            adapter = ItemAdapter(item)
            changed.append((adapter.get("outcome"), adapter.get("url")))

        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(SPIDER)
        crawler.signals.connect(scraped, signal=signals.item_scraped)
        self.crawler_process.crawl(crawler, start=start, end=end, lang=lang)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            return None
        return changed
