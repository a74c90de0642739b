"""`scrapy merge SOURCE [SOURCE ...]`: join archives (the distributed workers' parts) into
ARCHIVE_DIR. Files are copied before their records, as a crawl writes them (the article, its
pictures, its QR code), and index pages are rebuilt from the joined store; an article found in
several sources is taken once. Links between articles that different parts archived are made
local, as a crawl makes them. Each part's raw pages (WARC day files) are copied beside the
target's own, named by the capture they hold, so that `scrapy reextract` works on the whole.
Merging the same parts again changes nothing."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.backlinks import link_archived, relink_to
from crawler.archive.files import archive_file, write_atomic, write_if_changed
from crawler.archive.indexes import rebuild_stale_pages
from crawler.archive.lock import ArchiveBusyError, ArchiveLock
from crawler.archive.paths import qr_code_path
from crawler.archive.records import content_hash, pictures_of, stored_json
from crawler.archive.store import ArchiveStore, store_path
from crawler.qrcodes import public_url_of
from crawler.rawpages.warcfiles import (
    first_record_id,
    raw_pages_dir,
    stored_days,
    whole_records_length,
)


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
        merged_records: list[dict] = []
        try:
            for source_dir in sources:
                source = ArchiveStore.in_archive(source_dir)
                try:
                    for record in source.records():
                        if _already_merged(target.record(record["id"]), record):
                            continue
                        pictures = pictures_of(record)
                        files = [record["path"], *(picture.get("path") for picture in pictures)]
                        code = archive_file(source_dir, qr_code_path(record["path"]))
                        if code.exists():  # PUBLIC_URL set
                            files.append(qr_code_path(record["path"]))
                        for path in filter(None, files):
                            data = archive_file(source_dir, path).read_bytes()
                            write_if_changed(target_dir, path, data)
                        day = "-".join(record["path"].split("/")[1:4])  # gb/2021/06/23/a1.md
                        target.save(record, day, content_hash(record), stored_json(record))
                        merged_records.append(record)
                finally:
                    source.close()
                copy_raw_pages(source_dir, target_dir)
            public_url = public_url_of(self.settings)
            for record in merged_records:
                relink_to(target, target_dir, record, public_url)
            for record in merged_records:
                current = target.record(record["id"])
                if current is not None:
                    link_archived(target, target_dir, current, public_url)
            target.commit()
            rebuild_stale_pages(target, target_dir)
        finally:
            target.close()
        return len(merged_records)


def _already_merged(present: dict | None, record: dict) -> bool:
    """The target has this article with the same content and every picture the part stored
    (its links to other articles may be local there: the content hash ignores that)."""
    if present is None or content_hash(present) != content_hash(record):
        return False

    def stored(r: dict) -> set[str]:
        return {p["url"] for p in pictures_of(r) if p.get("url") and p.get("path")}

    return stored(record) <= stored(present)


def copy_raw_pages(source_dir: str, target_dir: str) -> int:
    """The source's WARC day files (their whole records) beside the target's, each named by
    its first record (`23.warc.gz` -> `23.<record>.warc.gz`): the same capture merged again,
    from any path or through another merge, replaces its copy (grown since, perhaps) instead
    of adding its records twice. Returns the files copied."""
    source_root, target_root = raw_pages_dir(source_dir), raw_pages_dir(target_dir)
    copied = 0
    for _, _, path in stored_days(source_dir, None, None):
        length = whole_records_length(path)
        first = first_record_id(path) if length else None
        if first is None:
            continue
        capture = hashlib.sha1(first.encode()).hexdigest()[:10]
        relative = path.relative_to(source_root)
        copy = target_root / relative.parent / f"{path.name[:2]}.{capture}.warc.gz"
        with open(path, "rb") as warc:
            data = warc.read(length)
        if not (copy.exists() and copy.read_bytes() == data):
            write_atomic(copy, data)
            copied += 1
    return copied
