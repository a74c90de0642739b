"""An article's JSON record (SPEC.md's JSON lines), the fingerprint of its content, and what
the pipelines derive from the record, made once per record."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from itemadapter import ItemAdapter

from crawler.items import EXPORTED_FIELDS
from crawler.pages import render_article


def record_of(item) -> dict:
    adapter = ItemAdapter(item)
    return {name: adapter.get(name) for name in EXPORTED_FIELDS}


def content_hash(record: dict) -> str:
    """What a reader would see change: everything but the download state of the image and
    the site's own `modified` stamp."""
    content = {k: v for k, v in record.items() if k not in ("modified", "path")}
    if content.get("featured_image"):
        content["featured_image"] = {
            k: v for k, v in content["featured_image"].items() if k != "path"
        }
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def stored_json(record: dict) -> str:
    """The record as the store keeps it."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True, eq=False)
class PreparedRecord:
    """A record with everything the pipelines derive from it. It holds for an item as long as
    the item's record equals `record`; the extraction worker makes it ahead, in its process,
    for the record the item will have once its featured image is stored."""

    record: dict
    content_hash: str
    stored_json: str
    markdown_file: bytes


def prepare(record: dict) -> PreparedRecord:
    return PreparedRecord(
        record=record,
        content_hash=content_hash(record),
        stored_json=stored_json(record),
        markdown_file=render_article(record).encode("utf-8"),
    )


def prepared_record(item) -> PreparedRecord:
    """The item's PreparedRecord, made again only when its record changed since the last one
    (its image failed, a refresh kept an older `published`…)."""
    adapter = ItemAdapter(item)
    record = record_of(item)
    prepared = adapter.get("prepared")
    if prepared is None or prepared.record != record:
        prepared = prepare(record)
        adapter["prepared"] = prepared
    return prepared
