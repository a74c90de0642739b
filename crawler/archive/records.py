"""An article's JSON record (the fields of the JSON lines, in their order) and the fingerprint of
its content."""

from __future__ import annotations

import hashlib
import json

from itemadapter import ItemAdapter

from crawler.archive.paths import relative_link
from crawler.items import EXPORTED_FIELDS
from crawler.site.body import link_target


def record_of(item) -> dict:
    adapter = ItemAdapter(item)
    return {name: adapter.get(name) for name in EXPORTED_FIELDS}


def local_image_links(markdown: str | None, images: list[dict], article_path: str) -> str | None:
    """The body's Markdown with each stored picture linked to its file in the archive (the
    body links to a picture as link_target(url) until then)."""
    return _swap_image_links(markdown, images, article_path, to_local=True)


def _swap_image_links(
    markdown: str | None, images: list[dict], article_path: str, to_local: bool
) -> str | None:
    for image in images:
        if markdown and image.get("path"):
            local = f"]({relative_link(article_path, image['path'])})"
            remote = f"]({link_target(image['url'])})"
            old, new = (remote, local) if to_local else (local, remote)
            markdown = markdown.replace(old, new)
    return markdown


def content_hash(record: dict) -> str:
    """What a reader would see change: everything but the download state of the pictures
    (whether the body links to a stored file or to the site) and the site's own `modified`."""
    content = {k: v for k, v in record.items() if k not in ("modified", "path")}
    if content.get("featured_image"):
        content["featured_image"] = {
            k: v for k, v in content["featured_image"].items() if k != "path"
        }
    images = content.get("images") or []
    if images:
        markdown = content.get("markdown")
        content["markdown"] = _swap_image_links(markdown, images, record["path"], to_local=False)
        content["images"] = [image["url"] for image in images]
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def stored_json(record: dict) -> str:
    """The record as the store keeps it."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def json_line(record: dict) -> str:
    """A record as the crawl's feed writes it: the same keys in the same order."""
    ordered = {name: record.get(name) for name in EXPORTED_FIELDS}
    return json.dumps(ordered, ensure_ascii=False) + "\n"
