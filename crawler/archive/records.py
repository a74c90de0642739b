"""An article's JSON record (the fields of the JSON lines, in their order) and the fingerprint of
its content."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re

from itemadapter import ItemAdapter

from crawler.archive.paths import ARTICLE_FILE_RE, relative_link
from crawler.items import EXPORTED_FIELDS
from crawler.site.body import link_target


def record_of(item) -> dict:
    adapter = ItemAdapter(item)
    return {name: adapter.get(name) for name in EXPORTED_FIELDS}


def pictures_of(record: dict) -> list[dict]:
    """The article's pictures: its featured image (if any), then those of its body, each a
    dict with its "url" and its "path" in the archive (None until stored)."""
    featured = record.get("featured_image")
    return ([featured] if featured else []) + list(record.get("images") or [])


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


# A link in a body to a Markdown file named like an article: ](a103149816.md), ](../24/a1.md)
_LINK_TO_ARTICLE_FILE_RE = re.compile(r"\]\(([^)\s]*a\d+\.md)\)")


def local_article_links(markdown: str | None, article_path: str, archived: dict) -> str | None:
    """The body's links to other articles of the site that the archive has (canonical
    address -> archive path) made links to their files."""
    for url, path in archived.items():
        if markdown:
            local = f"]({relative_link(article_path, path)})"
            markdown = markdown.replace(f"]({link_target(url)})", local)
    return markdown


def _site_article_links(markdown: str | None, record: dict) -> str | None:
    """The body's links to archived articles' files given back as the site's addresses."""
    if not markdown or ".md)" not in markdown:
        return markdown
    url, lang = record["url"], record["lang"]
    site = url[: url.index(f"/{lang}/")] if f"/{lang}/" in url else ""
    folder = posixpath.dirname(record["path"])

    def to_site(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(folder, match[1]))
        if not ARTICLE_FILE_RE.match(target):
            return match[0]
        return f"]({site}/{target[:-3]}.html)"

    return _LINK_TO_ARTICLE_FILE_RE.sub(to_site, markdown)


def content_hash(record: dict) -> str:
    """What a reader would see change: everything but the download state of the pictures
    (whether the body links to a stored file or to the site) and the site's own `modified`."""
    content = {k: v for k, v in record.items() if k not in ("modified", "path")}
    if content.get("featured_image"):
        content["featured_image"] = {
            k: v for k, v in content["featured_image"].items() if k != "path"
        }
    # Whether a picture or a linked article is in the archive yet is not a change of content
    content["markdown"] = _site_article_links(content.get("markdown"), record)
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
