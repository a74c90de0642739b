"""Rebuilding the archive's index pages from the store: only the pages the store marks stale
(those of the days, months, tags and sections that saved articles touched), so that a run's
cost follows what it archived, not the size of the archive."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from crawler.archive.files import archive_file, write_if_changed
from crawler.archive.pages import (
    HOME,
    HOME_NEWEST,
    HOME_TAGS,
    SECTIONS_INDEX,
    TAGS_INDEX,
    TAGS_INDEX_TOP,
    render_day_page,
    render_home,
    render_month_page,
    render_section_month,
    render_section_page,
    render_sections_index,
    render_tag_month,
    render_tag_page,
    render_tags_index,
    render_tags_shard,
)
from crawler.archive.paths import (
    day_page_path,
    month_page_path,
    month_part_path,
    section_folder,
    section_page_path,
    tag_folder,
    tag_page_path,
    tags_shard_path,
)
from crawler.archive.store import ArchiveStore

# A page to write (path, Markdown), or to remove (path, None): a tag's month left empty
Page = tuple[str, str | None]


def rebuild_stale_pages(store: ArchiveStore, archive_dir: str | Path) -> int:
    """Rewrite the pages the store marks stale (and the home page); the number written."""
    stale = store.stale_pages()
    if not stale:
        return 0
    written = 0
    for path, text in _pages(store, stale):
        if text is None:
            _remove_page(archive_file(archive_dir, path))
        else:
            written += write_if_changed(archive_dir, path, text.encode())
    store.mark_fresh(stale)
    return written


def _remove_page(page: Path) -> None:
    """A page no longer wanted, and its folder when nothing else is left in it (a tag no
    article carries any more)."""
    page.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty, or already gone
        page.parent.rmdir()


def _pages(store: ArchiveStore, stale: list[tuple[str, str]]) -> Iterator[Page]:
    """(path, Markdown or None) of each page to rebuild, one at a time."""
    for kind, key in stale:
        if kind == "day":
            lang, day = key.split("/", 1)
            rows = store.articles_on_day(lang, day)
            before, after = store.neighbour_days(lang, day)
            yield day_page_path(lang, day), (
                render_day_page(lang, day, rows, before, after) if rows else None
            )
        elif kind == "month":
            lang, month = key.split("/", 1)
            days = store.days_of_month(lang, month)
            yield month_page_path(lang, month), render_month_page(lang, month, days) if days else None
        elif kind == "tag":
            months = store.tag_months(key)
            yield tag_page_path(key), render_tag_page(key, months) if months else None
        elif kind == "tag-month":
            month, name = key[:7], key[8:]
            rows = store.articles_with_tag_in_month(name, month)
            yield from _month_pages(tag_folder(name), month, render_tag_month(name, month, rows), rows)
        elif kind == "section":
            months = store.section_months(key)
            yield section_page_path(key), render_section_page(key, months) if months else None
        elif kind == "section-month":
            month, name = key[:7], key[8:]
            rows = store.articles_in_section_month(name, month)
            pages = render_section_month(name, month, rows)
            yield from _month_pages(section_folder(name), month, pages, rows)
        elif kind == "tags-shard":
            yield tags_shard_path(key), render_tags_shard(key, store.tags_in_shard(key))
        elif kind == "tags-index":
            top = store.top_tags(TAGS_INDEX_TOP)
            yield TAGS_INDEX, render_tags_index(top, store.tag_shards(), store.tag_count())
        elif kind == "sections-index":
            yield SECTIONS_INDEX, render_sections_index(store.sections())
    yield (
        HOME,
        render_home(
            store.count(),
            store.newest(HOME_NEWEST),
            store.months(),
            store.sections(),
            store.top_tags(HOME_TAGS),
        ),
    )


def _month_pages(folder: str, month: str, pages: list[tuple[str, str]], rows: list) -> Iterator[Page]:
    """A month's parts, and the removal of parts it no longer has (or of all, when empty)."""
    if rows:
        yield from pages
    kept = len(pages) if rows else 0
    # Parts beyond the last one: a month shrinks only when articles move (a refresh)
    for number in range(kept + 1, kept + 3):
        yield month_part_path(folder, month, number), None
