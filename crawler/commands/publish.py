"""`scrapy publish`: what a run with PUBLISH_REMOTE set does at its end, by hand: commit the
archive if anything changed, push every commit the remote lacks (crawler/publish.py).

Exit statuses as `scrapy crawl`'s: 0 published (or nothing to publish), 2 no PUBLISH_REMOTE,
3 another run holds the archive, 6 the publication failed (one line says why)."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.health import has_articles
from crawler.archive.lock import ArchiveBusyError, ArchiveLock
from crawler.commands.crawl import EXIT_ARCHIVE_BUSY, EXIT_BAD_ARGUMENT
from crawler.publish import log_publication, publish, redact_url

EXIT_PUBLISH_FAILED = 6


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def short_desc(self) -> str:
        return "Commit the archive and push it to PUBLISH_REMOTE (what a run does at its end)"

    def run(self, args, opts) -> None:
        if args:
            raise UsageError("takes no arguments: scrapy publish -s PUBLISH_REMOTE=…")
        remote = (self.settings.get("PUBLISH_REMOTE") or "").strip()
        archive_dir = self.settings["ARCHIVE_DIR"]
        if not remote:
            print("error: PUBLISH_REMOTE is not set: nowhere to publish", file=sys.stderr)
            self.exitcode = EXIT_BAD_ARGUMENT
            return
        if not has_articles(archive_dir):
            print(f"error: no archive with articles at {archive_dir!r}", file=sys.stderr)
            self.exitcode = EXIT_BAD_ARGUMENT
            return
        try:
            with ArchiveLock(archive_dir):
                publication = publish(archive_dir, remote, self.settings.get("PUBLISH_BRANCH"))
        except ArchiveBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_ARCHIVE_BUSY
            return
        log_publication(publication, remote)
        if publication.error:
            print(f"error: not published: {publication.error}", file=sys.stderr)
            self.exitcode = EXIT_PUBLISH_FAILED
            return
        print(
            (
                f"Committed {publication.committed[:12]} ({publication.files_changed} files)"
                if publication.committed
                else "Nothing changed: no commit"
            )
            + f"; {publication.pushed} commits pushed to {redact_url(remote)}"
            + (f"; warning: {publication.warning}" if publication.warning else ""),
            file=sys.stderr,
        )
