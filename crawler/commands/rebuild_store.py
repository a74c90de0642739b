"""`scrapy rebuild_store`: make the archive's store again from its files, when it is lost or
damaged (crawler/archive/rebuild.py). Scrapy names a project's commands after their modules, so
the command is rebuild_store (a hyphenated name would need an installed entry point).

Exit statuses as `scrapy crawl`'s: 0 rebuilt, 3 another run holds the archive, 7 the disk is
full, 9 ARCHIVE_DIR is not a folder it can write in, 1 no archive there."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.files import is_disk_full
from crawler.archive.health import ArchiveProblem, check_writable, has_articles
from crawler.archive.lock import ArchiveBusyError, ArchiveLock
from crawler.archive.rebuild import rebuild_store
from crawler.commands.crawl import (
    EXIT_ARCHIVE_BUSY,
    EXIT_DISK_FULL,
    EXIT_PROBLEMS,
    EXIT_RUN_FAILED,
)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def short_desc(self) -> str:
        return "Rebuild the archive's store (.state/archive.sqlite3) from its Markdown files"

    def run(self, args, opts) -> None:
        if args:
            raise UsageError("takes no arguments: scrapy rebuild_store -s ARCHIVE_DIR=…")
        archive_dir = self.settings["ARCHIVE_DIR"]
        if not has_articles(archive_dir):
            print(f"error: no archive with articles at {archive_dir!r}", file=sys.stderr)
            self.exitcode = EXIT_RUN_FAILED
            return
        try:
            check_writable(archive_dir)
            with ArchiveLock(archive_dir):
                result = rebuild_store(archive_dir)
        except ArchiveProblem as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_PROBLEMS[exc.kind]
            return
        except ArchiveBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_ARCHIVE_BUSY
            return
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            print(f"error: the disk of {archive_dir!r} is full; nothing replaced", file=sys.stderr)
            self.exitcode = EXIT_DISK_FULL
            return
        print(
            f"Store rebuilt from {result.articles} article files "
            f"({len(result.inexact)} not rendered back exactly, {len(result.skipped)} skipped); "
            f"index pages rewritten: {result.pages_written}"
            + (
                f"; the old store is kept as {result.damaged_store}" if result.damaged_store else ""
            ),
            file=sys.stderr,
        )
        for path in result.inexact[:20]:
            print(f"  not exact: {path}", file=sys.stderr)
