"""`scrapy site`: the archive as a static HTML site with Chinese full-text search, in SITE_DIR
(crawler/website/, docs/website.md). A rebuild converts only the pages that changed.

Exit statuses: 0 built, 2 no archive or a SITE_DIR inside the archive, 1 the search index
could not be made or a page failed (one line each says which)."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.crawl import EXIT_BAD_ARGUMENT


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Build the archive's static website with search into SITE_DIR"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--full", action="store_true", help="convert every page again")
        parser.add_argument(
            "--no-index", action="store_true", help="skip the search index (pages only)"
        )
        parser.add_argument(
            "--processes", type=int, default=0, help="processes converting pages (0: one a core)"
        )

    def run(self, args, opts) -> None:
        if args:
            raise UsageError("takes no arguments: scrapy site -s SITE_DIR=… -s ARCHIVE_DIR=…")
        # Imported here: Scrapy imports every command module at the start of every command
        from crawler.website.build import SiteError, build

        archive_dir, site_dir = self.settings["ARCHIVE_DIR"], self.settings["SITE_DIR"]
        try:
            result = build(
                archive_dir,
                site_dir,
                full=opts.full,
                index=not opts.no_index,
                processes=opts.processes,
            )
        except SiteError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 1 if str(exc).startswith("pagefind") else EXIT_BAD_ARGUMENT
            return
        for error in result.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"Site {site_dir}: {result.summary()}", file=sys.stderr)
        if result.errors:
            self.exitcode = 1
