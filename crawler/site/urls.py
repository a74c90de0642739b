"""The source site's address scheme (docs/site.md): pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

LANGS = ("gb", "b5")

# /gb/2021/06/23/a103149816.html
ARTICLE_PATH_RE = re.compile(
    r"^/(?P<lang>gb|b5)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<id>a\d{1,15})\.html$"
)
# /gb/蚂蚁集团.htm, /gb/prog422848.htm, /gb/sars.htm: any single path segment ending in .htm
TAG_PATH_RE = re.compile(r"^/(?P<lang>gb|b5)/(?P<name>[^/]+)\.htm$")
# /gb/prog1138
SECTION_PATH_RE = re.compile(r"^/(?P<lang>gb|b5)/(?P<slug>prog\d+)/?$")
# /assets/uploads/2021/06/name-800x450.jpg
UPLOAD_PATH_RE = re.compile(r"^/assets/uploads/(?P<y>\d{4})/(?P<m>\d{2})/(?P<name>[^/]+)$")


@dataclass(frozen=True)
class ArticleAddress:
    lang: str
    date: dt.date
    id: str
    url: str

    @property
    def archive_path(self) -> str:
        """The article's Markdown file, relative to ARCHIVE_DIR; mirrors the source address."""
        return f"{self.lang}/{self.date:%Y/%m/%d}/{self.id}.md"


def parse_article_url(url: str) -> ArticleAddress | None:
    """Recognise an article address; None for anything else (or an impossible date)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    m = ARTICLE_PATH_RE.match(unquote(parts.path))
    if not m:
        return None
    try:
        date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return ArticleAddress(m["lang"], date, m["id"], url)


def article_url(site_url: str, lang: str, day: dt.date, article_id: str) -> str:
    """The canonical address of an article, whatever form a listing gave it in."""
    return f"{site_url.rstrip('/')}/{lang}/{day:%Y/%m/%d}/{article_id}.html"


def archive_day_url(site_url: str, lang: str, day: dt.date, page: int = 1) -> str:
    base = f"{site_url.rstrip('/')}/{lang}/{day:%Y/%m/%d}/"
    return base if page <= 1 else f"{base}page/{page}/"


def archive_day_of(url: str) -> tuple[str, dt.date] | None:
    """(lang, day) of a daily archive address, page N included."""
    m = re.match(r"^/(gb|b5)/(\d{4})/(\d{2})/(\d{2})/(?:page/\d+/?)?$", unquote(urlsplit(url).path))
    if not m:
        return None
    try:
        return m[1], dt.date(int(m[2]), int(m[3]), int(m[4]))
    except ValueError:
        return None


def section_slug_from_url(url: str) -> str | None:
    m = SECTION_PATH_RE.match(urlsplit(url).path)
    return m["slug"] if m else None


# What urljoin would change or check in an absolute address: empty "?", "#" or ";" parts it
# drops, tabs and line breaks it removes, brackets (IPv6) and non-ASCII hosts it checks, a
# missing host
_NOT_PLAIN_ABSOLUTE_RE = re.compile(r"[?#;\t\r\n\[\]]|^https?://(?:/|$)")


def absolute_url(base: str, href: str) -> str:
    """An address as the page gives it, made absolute (escapes kept: %2F is not a /)."""
    href = href.strip()
    # Most links of a body are already absolute: urljoin would give them back as they are
    plain = href.isascii() and not _NOT_PLAIN_ABSOLUTE_RE.search(href)
    if plain and href.startswith(("http://", "https://")):
        return href
    return urljoin(base, href)


# Cached: a body's tag links repeat from article to article, and decoding them is most of
# what a link costs
@lru_cache(maxsize=8192)
def readable_url(url: str) -> str:
    """An address the way people read it: the path's percent-escapes decoded
    (https://www.ntdtv.com/gb/%E8%9A%82… -> https://www.ntdtv.com/gb/蚂蚁集团.htm)."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{unquote(parts.path)}{query}"


@lru_cache(maxsize=8192)
def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_site_host(url: str, site_hosts: frozenset[str]) -> bool:
    host = host_of(url)
    return host in site_hosts or host == "ntdtv.com" or host.endswith(".ntdtv.com")
