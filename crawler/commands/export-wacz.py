"""`scrapy export-wacz FILE [--start D] [--end D]`: the stored pages of a range as one WACZ package
(the day files' WARC records, a CDXJ index, pages.jsonl, datapackage.json) that replay tools
(ReplayWeb.page, pywb) open; made by the `wacz` package.

(The module's name is the command's: Scrapy names a command after the module it is defined in.)"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.lock import ArchiveBusyError, ArchiveLock
from crawler.archive.store import ArchiveStore
from crawler.commands import date_range
from crawler.commands.crawl import EXIT_ARCHIVE_BUSY
from crawler.rawpages.warcfiles import repair_interrupted, stored_days


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] FILE"

    def short_desc(self) -> str:
        return "Package the stored pages as a WACZ file (for ReplayWeb.page, pywb)"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--start", help="first address date, YYYY-MM-DD")
        parser.add_argument("--end", help="last address date, YYYY-MM-DD (default: start)")

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("name one output FILE, e.g. ntd.wacz")
        first, last = date_range(opts)
        archive_dir = self.settings["ARCHIVE_DIR"]
        output = Path(args[0])
        try:
            # Held while packaging: a crawl appending to a day file would leave a half record
            with ArchiveLock(archive_dir):
                repair_interrupted(archive_dir)
                days = stored_days(archive_dir, first, last)
                if not days:
                    print("error: no stored pages in the range", file=sys.stderr)
                    self.exitcode = 1
                    return
                self.exitcode = package(days, article_pages(archive_dir, days), output)
        except ArchiveBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_ARCHIVE_BUSY
            return
        if self.exitcode == 0:
            print(f"{len(days)} days of stored pages packaged in {output}", file=sys.stderr)


def article_pages(archive_dir: str, days) -> list[dict]:
    """The pages a replay tool lists: the archived articles of the range, with their titles
    (wacz keeps those whose address has a stored page)."""
    store = ArchiveStore.in_archive(archive_dir)
    try:
        records = store.records(str(days[0][1]), str(days[-1][1]))
        return [{"url": r["url"], "title": r["title"]} for r in records]
    finally:
        store.close()


def package(days, pages: list[dict], output: Path) -> int:
    """Write the WACZ through a temporary file in the same folder; wacz's exit status."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".tmp-{os.getpid()}-{output.name}")
    with tempfile.TemporaryDirectory() as folder:
        # The WACZ keeps each WARC under its file name: unique names for days of other months
        inputs = []
        for lang, day, path in days:
            link = Path(folder, f"ntd-{lang}-{day}.warc.gz")
            link.symlink_to(path.resolve())
            inputs.append(str(link))
        pages_file = Path(folder, "pages.jsonl")
        lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Articles"}, *pages]
        pages_file.write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        )
        # Imported here: Scrapy imports every command module at the start of every command
        from wacz.main import main as wacz_main

        # wacz reports on standard output, which is the command's (FILE may not be '-')
        with contextlib.redirect_stdout(sys.stderr):
            status = wacz_main(
                ["create", "--pages", str(pages_file), "--title", "NTD archive: pages as fetched"]
                + ["-o", str(partial), *inputs]
            )
    if status == 0:
        os.replace(partial, output)
    else:
        partial.unlink(missing_ok=True)
    return status
