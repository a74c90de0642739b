"""`scrapy export FILE [--start D] [--end D]`: the archive's JSON lines, without crawling."""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.files import write_atomic
from crawler.archive.records import json_line
from crawler.archive.store import ArchiveStore, store_path
from crawler.commands import date_range


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] FILE"

    def short_desc(self) -> str:
        return "Export the archived articles as JSON lines (FILE '-' for standard output)"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--start", help="first address date, YYYY-MM-DD")
        parser.add_argument("--end", help="last address date, YYYY-MM-DD (default: start)")

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("name one output FILE (or - for standard output)")
        first, last = date_range(opts)
        start = first.isoformat() if first else None
        end = last.isoformat() if last else None
        archive_dir = self.settings["ARCHIVE_DIR"]
        if not store_path(archive_dir).exists():
            print(f"error: no archive at {archive_dir!r} (nothing to export)", file=sys.stderr)
            self.exitcode = 1
            return
        store = ArchiveStore.in_archive(archive_dir)
        try:
            lines = [json_line(record) for record in store.records(start, end)]
        finally:
            store.close()
        data = "".join(lines)
        if args[0] == "-":
            sys.stdout.write(data)
        else:
            write_atomic(Path(args[0]), data.encode("utf-8"))
            print(f"{len(lines)} articles exported to {args[0]}", file=sys.stderr)
