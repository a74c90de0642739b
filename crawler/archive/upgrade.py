"""Bringing an archive of an older layout to this one, in place, with nothing fetched again.

Layout 1 (before tags and sections were paged by month): tags/<name>.md, sections/<name>.md,
images/YYYY/MM/<name>, images/other/<hash>.ext, every day on the home page. Layout 2: see
docs/archive.md. The upgrade moves each picture to its sharded folder (a rename), rewrites each
article's tag links and file, lists the pictures of its body (to be downloaded by later runs
over its day), removes the pages of the old layout and rebuilds every index page from the
store. Each step can be done twice: a killed upgrade is finished by the next run, which sees
the layout version still old in the store."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from crawler.archive.files import archive_file, write_if_changed
from crawler.archive.indexes import rebuild_stale_pages
from crawler.archive.pages import render_article
from crawler.archive.paths import image_path, link_to_root, safe_name, tag_page_path
from crawler.archive.records import (
    content_hash,
    local_article_links,
    local_image_links,
    stored_json,
)
from crawler.archive.store import LAYOUT_VERSION, ArchiveStore
from crawler.crashpoints import crash_point
from crawler.site.urls import article_url, host_of, is_site_host, parse_article_url

logger = logging.getLogger(__name__)

# An in-body picture as layout 1 left it: linked at the site, escaped as link_target() does
_REMOTE_PICTURE_RE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\((https?://[^)\s]+)\)")
# A link's target in a body: ](https://www.ntdtv.com/gb/2019/07/16/a102623322.html)
_LINK_RE = re.compile(r"\]\((https?://[^)\s]+)\)")
# Layout 1 put a figure's caption on the line after its picture; layout 2, in its own paragraph
_CAPTION_AFTER_PICTURE_RE = re.compile(r"^(!\[.*\]\([^)\s]+\))\n(\*\S)", re.MULTILINE)


def upgrade_archive(
    archive_dir: str | Path, store: ArchiveStore, public_url: str | None = None
) -> int:
    """Upgrade the archive if its layout is older; the number of articles rewritten.
    `public_url`: the PUBLIC_URL setting, for the articles' QR code section."""
    if store.layout_version() >= LAYOUT_VERSION:
        return 0
    logger.info("Upgrading the archive %s to layout %d", archive_dir, LAYOUT_VERSION)
    upgraded = 0
    for record, day in list(store.records_with_days()):
        new = _upgraded_record(archive_dir, record, store)
        data = render_article(new, public_url).encode("utf-8")
        write_if_changed(archive_dir, new["path"], data)
        store.save(new, day, content_hash(new), stored_json(new))
        crash_point("upgrade:article")
        upgraded += 1
    store.mark_tag_shards_stale()
    _remove_old_pages(archive_dir)
    rebuild_stale_pages(store, archive_dir)
    store.set_layout_version(LAYOUT_VERSION)
    logger.info("Archive upgraded: %d articles rewritten, every index page rebuilt", upgraded)
    return upgraded


def _upgraded_record(archive_dir: str | Path, record: dict, store: ArchiveStore) -> dict:
    record = dict(record)
    featured = record.get("featured_image")
    if featured and featured.get("path"):
        record["featured_image"] = {**featured, "path": _move_picture(archive_dir, featured)}
    markdown = _CAPTION_AFTER_PICTURE_RE.sub(r"\1\n\n\2", record.get("markdown") or "")
    to_root = link_to_root(record["path"])
    for tag in record.get("tags") or []:
        old = f"]({to_root}tags/{safe_name(tag['name'])}.md)"
        markdown = markdown.replace(old, f"]({to_root}{tag_page_path(tag['name'])})")
    if "images" not in record:
        urls = dict.fromkeys(_unescape(m) for m in _REMOTE_PICTURE_RE.findall(markdown))
        record["images"] = [{"url": url, "path": None} for url in urls]
    # Pictures already stored under the new layout (an upgrade killed half-way)
    images = [
        {**image, "path": image["path"] or _stored(archive_dir, image["url"])}
        for image in record["images"]
    ]
    record["images"] = images
    markdown = _canonical_article_links(markdown, record)
    # Links to articles the archive has point at their files (the others are made so when a
    # later run archives them)
    markdown = local_article_links(markdown, record["path"], store.archived_links(markdown))
    record["markdown"] = local_image_links(markdown, images, record["path"]) or None
    return record


def _canonical_article_links(markdown: str, record: dict) -> str:
    """Links to articles of the site in the one form a crawl gives them (the site's address
    as the record's own url has it): layout 1 kept them as the page wrote them."""
    site = record["url"][: record["url"].index(f"/{record['lang']}/")]
    site_hosts = frozenset({host_of(site)})

    def canonical(match: re.Match[str]) -> str:
        address = parse_article_url(match[1])
        if address is None or not is_site_host(match[1], site_hosts):
            return match[0]
        return f"]({article_url(site, address.lang, address.date, address.id)})"

    return _LINK_RE.sub(canonical, markdown)


def _stored(archive_dir: str | Path, url: str) -> str | None:
    path = image_path(url)
    return path if archive_file(archive_dir, path).is_file() else None


def _move_picture(archive_dir: str | Path, picture: dict) -> str | None:
    """Rename a stored picture into its layout-2 folder; its new path (None if it is lost)."""
    new = image_path(picture["url"])
    target, old = archive_file(archive_dir, new), archive_file(archive_dir, picture["path"])
    if old != target and old.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, target)
    return new if target.is_file() else None


def _unescape(target: str) -> str:
    return target.replace("%20", " ").replace("%28", "(").replace("%29", ")")


def _remove_old_pages(archive_dir: str | Path) -> None:
    """Layout 1's tag and section pages: the files straight under tags/ and sections/."""
    root = Path(archive_dir)
    for folder in ("tags", "sections"):
        for page in (root / folder).glob("*.md"):
            if page.name != "README.md":
                page.unlink()
