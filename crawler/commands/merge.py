"""`scrapy merge SOURCE [SOURCE ...]`: join archives (the distributed workers' parts) into
ARCHIVE_DIR. Files are copied before their records, as a crawl writes them, and index pages are
rebuilt from the joined store; an article found in several sources is taken once."""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.files import archive_file, write_if_changed
from crawler.archive.indexes import rebuild_stale_pages
from crawler.archive.lock import ArchiveBusyError, ArchiveLock
from crawler.archive.records import content_hash, stored_json
from crawler.archive.store import ArchiveStore, store_path


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "SOURCE_ARCHIVE [SOURCE_ARCHIVE ...]"

    def short_desc(self) -> str:
        return "Join other archives (distributed workers' parts) into ARCHIVE_DIR"

    def run(self, args, opts) -> None:
        if not args:
            raise UsageError("name at least one archive to merge")
        target_dir = self.settings["ARCHIVE_DIR"]
        for source in args:
            if not store_path(source).exists():
                raise UsageError(f"{source!r} is not an archive (no {store_path(source)})")
            if Path(source).resolve() == Path(target_dir).resolve():
                raise UsageError(f"{source!r} is the target archive itself")
        try:
            with ArchiveLock(target_dir):
                merged = self.merge(args, target_dir)
        except ArchiveBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 3
            return
        print(f"{merged} articles merged into {target_dir}", file=sys.stderr)

    def merge(self, sources: list[str], target_dir: str) -> int:
        target = ArchiveStore.in_archive(target_dir)
        merged = 0
        try:
            for source_dir in sources:
                source = ArchiveStore.in_archive(source_dir)
                try:
                    for record in source.records():
                        if target.record(record["id"]) == record:
                            continue
                        pictures = [
                            record.get("featured_image") or {},
                            *(record.get("images") or []),
                        ]
                        files = [record["path"], *(picture.get("path") for picture in pictures)]
                        for path in filter(None, files):
                            data = archive_file(source_dir, path).read_bytes()
                            write_if_changed(target_dir, path, data)
                        day = "-".join(record["path"].split("/")[1:4])  # gb/2021/06/23/a1.md
                        target.save(record, day, content_hash(record), stored_json(record))
                        merged += 1
                finally:
                    source.close()
            target.commit()
            rebuild_stale_pages(target, target_dir)
        finally:
            target.close()
        return merged
