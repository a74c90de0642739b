"""Rebuilding the archive's index pages (home, days, tags, sections) from the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from crawler.archive.files import write_if_changed
from crawler.archive.pages import (
    HOME,
    HOME_NEWEST,
    HOME_TAGS,
    SECTIONS_INDEX,
    TAGS_INDEX,
    render_day_page,
    render_home,
    render_section_page,
    render_sections_index,
    render_tag_page,
    render_tags_index,
)
from crawler.archive.paths import day_page_path, section_page_path, tag_page_path
from crawler.archive.store import ArchiveStore


def rebuild_stale_pages(store: ArchiveStore, archive_dir: str | Path) -> int:
    """Rewrite the pages the store marks stale (and the home page); the number written."""
    stale = store.stale_pages()
    if not stale:
        return 0
    written = sum(
        write_if_changed(archive_dir, path, text.encode()) for path, text in _pages(store, stale)
    )
    store.mark_fresh(stale)
    return written


def _pages(store: ArchiveStore, stale: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(path, Markdown) of each page to rebuild, one at a time."""
    for kind, key in stale:
        if kind == "day":
            lang, day = key.split("/", 1)
            yield (
                day_page_path(lang, day),
                render_day_page(lang, day, store.articles_on_day(lang, day)),
            )
        elif kind == "tag":
            yield tag_page_path(key), render_tag_page(key, store.articles_with_tag(key))
        elif kind == "section":
            yield section_page_path(key), render_section_page(key, store.articles_in_section(key))
    kinds = {kind for kind, _ in stale}
    if "tag" in kinds:
        yield TAGS_INDEX, render_tags_index(store.tags())
    if "section" in kinds:
        yield SECTIONS_INDEX, render_sections_index(store.sections())
    yield (
        HOME,
        render_home(
            store.count(),
            store.newest(HOME_NEWEST),
            store.days(),
            store.sections(),
            store.tags(HOME_TAGS),
        ),
    )
