"""The store made again from the archive itself, when it is lost or damaged
(`scrapy rebuild_store`, README "Store lost or damaged").

Each article's record is read back from its Markdown file: the front matter gives title, id,
url, lang, published, modified, section, authors, editor, source, the tag names and the stored
featured image; the file's body gives the featured image's alt text, caption and (when its
download had failed) address, and `markdown` exactly. A record is accepted as exact for the file
when render_article() of it gives the file's bytes back, so a run after the rebuild fetches no
archived article and rewrites no file.

What the file does not hold is derived, and may differ from what the crawl recorded:
- `text`, from the Markdown body (rendered to HTML and read by the crawl's own body walker);
- each tag's `url`: the site's usual tag address (https://www.ntdtv.com/<lang>/<name>.htm), which
  is wrong for tags the site addresses by number (/gb/442749.htm);
- a stored featured image's `url` and `full_url`: rebuilt from its file name and the image host
  the archive's other articles show, kept only when it maps back to the same file; else null;
- in-body pictures already stored (linked to their local file): their addresses.
These fields only matter to the JSON lines and to `-a refresh=true`, which sees the rebuilt
articles as changed the first time it fetches them.

RAW PAGES HOOK: where the archive keeps the raw pages (WARC, crawler/rawpages/), re-extracting
an article from its stored page gives its exact record; records_from_raw_pages() is the place
for it, and is tried before the Markdown file.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import posixpath
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from crawler.archive.indexes import rebuild_stale_pages
from crawler.archive.pages import render_article, share_section
from crawler.archive.paths import ARTICLE_FILE_RE, image_path
from crawler.archive.records import content_hash, stored_json
from crawler.archive.store import STATE_DIR, STORE_FILE, ArchiveStore
from crawler.items import EXPORTED_FIELDS
from crawler.site.body import BodyConverter, escape_markdown
from crawler.site.loaders import SIZED_IMAGE_RE
from crawler.site.urls import LANGS

logger = logging.getLogger(__name__)

# The site's own address, which tag links point at whatever SITE_URL a crawl used
TAG_SITE = "https://www.ntdtv.com"
_FIGURE_RE = re.compile(r"!\[((?:[^\]\\\n]|\\.)*)\]\(([^)\s]*)\)")
_UNESCAPE_RE = re.compile(r"\\([\\`*_\[\]>|~])")
_ENTITY_RE = re.compile(r"&(amp|lt);")
# A featured image not stored: the figure right after the title links to the site's upload
_FEATURED_UPLOAD_RE = re.compile(
    r"\n# [^\n]*\n\n!\[(?:[^\]\\\n]|\\.)*\]\((https?://[^/)]+)/assets/uploads/"
)
# An embedded video's link (body.py): a block of its own, no text
_VIDEO_BLOCK_RE = re.compile(r"^\[▶ [^\n]*\]\([^)\s]*\)$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_markdown = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass
class RebuildResult:
    articles: int = 0
    inexact: list[str] = field(default_factory=list)  # files whose record renders otherwise
    skipped: list[str] = field(default_factory=list)  # files that are not article files
    pages_written: int = 0
    damaged_store: str | None = None  # where the old store was moved


def unescape_markdown(text: str) -> str:
    """escape_markdown() undone."""
    text = _UNESCAPE_RE.sub(r"\1", text)
    return _ENTITY_RE.sub(lambda m: "&" if m[1] == "amp" else "<", text)


def text_of_markdown(markdown: str, url: str) -> str:
    """The plain text of a body, from its Markdown: rendered to HTML and read by the crawl's own
    body walker, so blocks, lists, tables and captions give the text the crawl gave them."""
    if not markdown:
        return ""
    blocks = markdown.split("\n\n")
    markdown = "\n\n".join(b for b in blocks if not _VIDEO_BLOCK_RE.match(b))
    root = lxml_html.fragment_fromstring(_markdown.render(markdown), create_parent="div")
    return BodyConverter(url, frozenset(), lambda name: "").convert(root).text


def article_files(archive_dir: Path) -> Iterator[str]:
    for lang in LANGS:
        for path in sorted((archive_dir / lang).glob("*/*/*/a*.md")):
            yield path.relative_to(archive_dir).as_posix()


def records_from_raw_pages(archive_dir: Path) -> dict[str, dict]:
    """Exact records re-extracted from the raw pages the archive keeps, by article id.
    Hook for crawler/rawpages (being written): none yet, so every record comes from its file."""
    return {}


def record_of_file(data: str, path: str, image_base: str | None) -> tuple[dict, bool]:
    """(record, exact) of an article file; exact when rendering the record gives the file."""
    if not data.startswith("---\n"):
        raise ValueError("no front matter")
    # An archive published with PUBLIC_URL: the share section after the Source line
    share = f"\n\n{share_section(path)}\n"
    if data.endswith(share):
        data = data[: -len(share)] + "\n"
    end = data.index("\n---\n", 3)
    meta = yaml.load(data[4 : end + 1], Loader=_YAML_LOADER)
    tail = f"\n\nSource: <{meta['url']}>\n"
    heading = f"\n\n# {escape_markdown(meta['title'])}"
    rest = data[end + 5 :]
    if not rest.endswith(tail) or heading not in rest:
        raise ValueError("not the layout of an article file")
    blocks = rest[rest.index(heading) + len(heading) : -len(tail)]
    blocks = blocks[2:] if blocks.startswith("\n\n") else blocks
    base = {
        "id": meta["id"],
        "url": meta["url"],
        "lang": meta["lang"],
        "title": meta["title"],
        "published": meta.get("published"),
        "modified": meta.get("modified"),
        "section": meta.get("section"),
        "authors": list(meta.get("authors") or []),
        "editor": meta.get("editor"),
        "source": meta.get("source"),
        "tags": [
            {"name": name, "url": f"{TAG_SITE}/{meta['lang']}/{name}.htm"}
            for name in meta.get("tags") or []
        ],
        "path": path,
    }
    candidates = []
    figure = _FIGURE_RE.match(blocks)
    if figure:
        alt, target = unescape_markdown(figure[1]), figure[2]
        after = blocks[figure.end() :]
        stored = None
        if meta.get("image"):
            stored = posixpath.normpath(posixpath.join(posixpath.dirname(path), meta["image"]))
        if stored or target.startswith(("http://", "https://")):
            url = target if not stored else _upload_url(stored, image_base)
            for separator in ("\n\n", "\n"):  # the caption's own paragraph, or its next line
                if after.startswith(separator + "*"):
                    line, _, more = after[len(separator) :].partition("\n")
                    if line.endswith("*") and len(line) > 1:
                        caption = unescape_markdown(line[1:-1])
                        candidates.append((url, stored, alt, caption, more.lstrip("\n")))
            candidates.append((url, stored, alt, None, after.lstrip("\n")))
    candidates.append(None)  # no featured image
    chosen = None
    for candidate in candidates:
        record = dict(base)
        if candidate is None:
            record["featured_image"], markdown = None, blocks
        else:
            url, stored, alt, caption, markdown = candidate
            full_url = SIZED_IMAGE_RE.sub("", url) if url else None
            record["featured_image"] = {
                "url": url,
                "full_url": full_url,
                "alt": alt,
                "caption": caption,
                "path": stored,
            }
        record["markdown"] = markdown
        if "images" in EXPORTED_FIELDS:
            record["images"] = _remote_images(markdown)
        record["text"] = text_of_markdown(markdown, meta["url"])
        record = {name: record.get(name) for name in EXPORTED_FIELDS}
        if render_article(record) == data:
            return record, True
        chosen = chosen or record
    return chosen, False


def _upload_url(stored: str, image_base: str | None) -> str | None:
    """The address of a stored featured image, when its file name and the archive's image host
    give one that maps back to the same file."""
    m = re.match(r"^images/(\d{4})/(\d{2})/(?:[^/]+/)*([^/]+)$", stored)
    if not m or not image_base:
        return None
    url = f"{image_base}/assets/uploads/{m[1]}/{m[2]}/{m[3]}"
    return url if image_path(url) == stored else None


def _remote_images(markdown: str) -> list[dict]:
    """In-body pictures still linked to the site (not stored), in order, each once."""
    seen: dict[str, None] = {}
    for m in _FIGURE_RE.finditer(markdown or ""):
        if m[2].startswith(("http://", "https://")):
            url = m[2].replace("%20", " ").replace("%28", "(").replace("%29", ")")
            seen.setdefault(url)
    return [{"url": url, "path": None} for url in seen]


def _image_base(archive_dir: Path, paths: list[str]) -> str | None:
    """The image host the archive's articles link to (from featured images not stored)."""
    hosts: Counter[str] = Counter()
    for path in paths[:2000]:
        text = (archive_dir / path).read_text("utf-8", errors="replace")
        m = _FEATURED_UPLOAD_RE.search(text)
        if m:
            hosts[m[1]] += 1
    return hosts.most_common(1)[0][0] if hosts else None


def rebuild_store(archive_dir: str | Path) -> RebuildResult:
    """Make the store again from the archive's files. The old store, if any, is moved aside
    (.state/archive.sqlite3.damaged-<time>); the new one is written beside it and renamed into
    place when complete, so a rebuild killed half-way leaves no half store. The caller holds
    the archive's lock."""
    archive_dir = Path(archive_dir)
    state = archive_dir / STATE_DIR
    final = state / STORE_FILE
    building = state / f"{STORE_FILE}.rebuilding"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    result = RebuildResult()
    paths = list(article_files(archive_dir))
    exact_records = records_from_raw_pages(archive_dir)
    image_base = _image_base(archive_dir, paths)
    store = ArchiveStore(building)
    try:
        for path in paths:
            data = (archive_dir / path).read_text("utf-8")
            m = ARTICLE_FILE_RE.match(path)
            try:
                record, exact = record_of_file(data, path, image_base)
            except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
                logger.warning("Not an article file, left out of the store: %s (%s)", path, exc)
                result.skipped.append(path)
                continue
            if record["id"] in exact_records:
                record, exact = exact_records[record["id"]], True
            if not exact:
                result.inexact.append(path)
            day = f"{m[2]}-{m[3]}-{m[4]}"
            store.save(record, day, content_hash(record), stored_json(record))
            store.record_listing([(record["id"], record["lang"], day, record["url"])])
            result.articles += 1
        store.commit()
        # Every index page is marked stale by the saves: rebuilt, each written only if its
        # bytes differ (none, when the store came back whole)
        result.pages_written = rebuild_stale_pages(store, archive_dir)
    finally:
        store.close()
    if final.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = state / f"{STORE_FILE}.damaged-{stamp}"
        os.replace(final, aside)
        result.damaged_store = str(aside)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{final}{suffix}").unlink(missing_ok=True)
    os.replace(building, final)
    return result
