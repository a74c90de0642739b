"""An article's JSON record (the fields of the JSON lines, in their order) and the fingerprint of
its content."""

from __future__ import annotations

import hashlib
import json

from itemadapter import ItemAdapter

from crawler.items import EXPORTED_FIELDS


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


def json_line(record: dict) -> str:
    """A record as the crawl's feed writes it: the same keys in the same order."""
    ordered = {name: record.get(name) for name in EXPORTED_FIELDS}
    return json.dumps(ordered, ensure_ascii=False) + "\n"
