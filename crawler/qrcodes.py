"""A QR code beside each article, encoding the address its page is published at (PUBLIC_URL +
the article's path), so that a reader can share it from a phone: long-press the code, open it
in the browser. Off unless PUBLIC_URL is set (docs/publishing.md).

`gb/2021/06/23/a103149816.md` gets `gb/2021/06/23/a103149816.png`, and render_article shows it
at the end of the file. A code is made when it is missing; when PUBLIC_URL changes (or is set
or removed), the first run after rewrites every article's code and file from the store
(.state/qr-codes.json remembers the address the codes were made for).
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from urllib.parse import quote

import segno
from itemadapter import ItemAdapter

from crawler.archive.files import archive_file, write_atomic, write_if_changed
from crawler.archive.pages import render_article
from crawler.archive.paths import qr_code_path
from crawler.archive.store import ArchiveStore

logger = logging.getLogger(__name__)

# The address the archive's codes were made for
MARKER = ".state/qr-codes.json"
# Pixels per module: a version 5 code (an address of ~90 characters) is 37 modules, 4 of quiet
# zone each side: 180 px, read by phones and zbarimg alike
SCALE = 4


def public_url_of(settings) -> str | None:
    """PUBLIC_URL with its trailing slash, or None when unset."""
    url = (settings.get("PUBLIC_URL") or "").strip()
    if not url:
        return None
    return url if url.endswith("/") else url + "/"


def public_address(public_url: str, article_path: str) -> str:
    """Where readers read the article: PUBLIC_URL + its path in the archive."""
    return public_url + quote(article_path, safe="/")


def code_png(address: str) -> bytes:
    """A black-and-white PNG of the address's QR code (error correction M at least)."""
    out = io.BytesIO()
    segno.make(address, error="m", micro=False).save(out, kind="png", scale=SCALE, border=4)
    return out.getvalue()


def write_code(archive_dir: str | Path, article_path: str, public_url: str, force=False) -> bool:
    """The article's code made when missing (or `force`: PUBLIC_URL changed); True if written."""
    relative = qr_code_path(article_path)
    if not force and archive_file(archive_dir, relative).exists():
        return False
    data = code_png(public_address(public_url, article_path))
    if force:
        return write_if_changed(archive_dir, relative, data)
    write_atomic(archive_file(archive_dir, relative), data)
    return True


def _marked_url(archive_dir: str | Path) -> str | None:
    try:
        return json.loads(archive_file(archive_dir, MARKER).read_text("utf-8"))["public_url"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def refresh_all(archive_dir: str | Path, store: ArchiveStore, public_url: str | None) -> int:
    """After PUBLIC_URL changed: every archived article's code made again (or removed, when
    PUBLIC_URL was unset) and its file rendered again with it. A run killed half-way leaves the
    marker as it was, so the next run does it again (idempotent). Returns articles touched."""
    touched = 0
    for record in store.records():
        path = record["path"]
        if public_url:
            written = write_code(archive_dir, path, public_url, force=True)
        else:
            written = False
            target = archive_file(archive_dir, qr_code_path(path))
            if target.exists():
                target.unlink()
                written = True
        data = render_article(record, public_url).encode("utf-8")
        if write_if_changed(archive_dir, path, data) or written:
            touched += 1
    marker = archive_file(archive_dir, MARKER)
    if public_url:
        write_atomic(marker, json.dumps({"public_url": public_url}).encode("utf-8"))
    else:
        marker.unlink(missing_ok=True)
    return touched


class ArticleQRCodePipeline:
    """450: the article's QR code beside its Markdown file (written at 400, which shows it),
    before the store records the article (500), so a killed run's article is done again."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.public_url = public_url_of(crawler.settings)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        if _marked_url(self.archive_dir) == self.public_url:
            return
        store = ArchiveStore.of_crawler(self.crawler)
        touched = refresh_all(self.archive_dir, store, self.public_url)
        logger.info(
            "PUBLIC_URL is now %r: QR codes and files of %d archived articles made again",
            self.public_url,
            touched,
        )

    def process_item(self, item):
        if self.public_url and write_code(
            self.archive_dir, ItemAdapter(item)["path"], self.public_url
        ):
            self.stats.inc_value("ntd/files/qr_codes_written")
        return item
