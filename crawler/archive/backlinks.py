"""Links between archived articles: a body's links to other articles of the site point at their
files once the archive has them, whichever was archived first (docs/archive.md)."""

from __future__ import annotations

from pathlib import Path

from crawler.archive.files import write_if_changed
from crawler.archive.pages import render_article
from crawler.archive.records import content_hash, local_article_links, stored_json
from crawler.archive.store import ArchiveStore


def _rewrite(
    store: ArchiveStore, archive_dir: str | Path, record: dict, markdown: str, public_url
) -> None:
    record["markdown"] = markdown
    data = render_article(record, public_url).encode("utf-8")
    write_if_changed(archive_dir, record["path"], data)
    # The same content: the content hash ignores where a link points
    store.save(record, store.day_of(record["id"]), content_hash(record), stored_json(record))


def relink_to(
    store: ArchiveStore, archive_dir: str | Path, record: dict, public_url: str | None
) -> int:
    """A newly archived article (its record): the archived articles
    whose body links to it now link to its file; their files and records are rewritten. Returns
    how many."""
    relinked = 0
    target = {record["url"]: record["path"]}
    for source_id in store.linking_to(record["id"]):
        source = store.record(source_id)
        if source is None:
            continue
        markdown = local_article_links(source.get("markdown"), source["path"], target)
        if markdown != source.get("markdown"):
            _rewrite(store, archive_dir, source, markdown, public_url)
            relinked += 1
    return relinked


def link_archived(
    store: ArchiveStore, archive_dir: str | Path, record: dict, public_url: str | None
) -> bool:
    """An archived article's links to the articles the archive has made links to their files
    (its file and record rewritten); True if any was."""
    archived = store.archived_links(record.get("markdown"))
    markdown = local_article_links(record.get("markdown"), record["path"], archived)
    if not archived or markdown == record.get("markdown"):
        return False
    _rewrite(store, archive_dir, record, markdown, public_url)
    return True
