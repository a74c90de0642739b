"""Names from the site turned into paths inside the archive, and links between its pages.

Every name from the site is hostile: a name that is not already a plain, portable file name
is cleaned and given a short hash of the original, so that two different names never share a
file (NFC vs NFD, names that only differ in characters we replace).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from crawler.site.urls import LANGS, UPLOAD_PATH_RE

MAX_NAME_BYTES = 120
# Reserved by Windows, or by the archive itself (README.md is every folder's index page)
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul", "readme", "index"]
    + [f"com{i}" for i in range(10)]
    + [f"lpt{i}" for i in range(10)]
)
_UNSAFE_CHARS_RE = re.compile(r"[\x00-\x20\x7f\"#%&'()*/:;<>?\[\\\]^`{|}~\u3000]+")
# An article's Markdown file, relative to the archive: gb/2021/06/23/a103149816.md (groups:
# lang, year, month, day, id)
ARTICLE_FILE_RE = re.compile(
    rf"^({'|'.join(LANGS)})/(\d{{4}})/(\d{{2}})/(\d{{2}})/(a\d{{1,15}})\.md$"
)
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"})


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


@lru_cache(maxsize=65536)
def safe_name(name: str) -> str:
    """A file name (without extension) for a tag or section name; the same name gives the same
    file, and two different names never give the same file."""
    cleaned = _UNSAFE_CHARS_RE.sub("-", unicodedata.normalize("NFC", name)).strip("-.")
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch)[0] != "C")
    while len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        cleaned = cleaned[:-1]
    plain = (
        cleaned == name
        and name.split(".")[0].lower() not in RESERVED_NAMES
        and not name.startswith(".")
    )
    if plain and cleaned:
        return cleaned
    return f"{cleaned}-{_short_hash(name)}" if cleaned else _short_hash(name)


@lru_cache(maxsize=65536)
def shard(name: str) -> str:
    """One of 256 folders for a name (two hex digits of its hash), so that no folder of the
    archive holds more than a few hundred entries even with a hundred thousand tags."""
    return _short_hash(unicodedata.normalize("NFC", name))[:2]


# -- tags and sections: a folder each, with a page of months and a page per month -----------


def qr_code_path(article_path: str) -> str:
    """The PNG of an article's QR code (PUBLIC_URL set), beside its Markdown file."""
    return article_path.rsplit(".", 1)[0] + ".png"


def tag_folder(name: str) -> str:
    return f"tags/{shard(name)}/{safe_name(name)}"


def tag_page_path(name: str) -> str:
    """The tag's own page: its months, with counts."""
    return f"{tag_folder(name)}/README.md"


def tags_shard_path(shard_name: str) -> str:
    """The page listing the tags of one shard folder."""
    return f"tags/{shard_name}/README.md"


def section_folder(name: str) -> str:
    return f"sections/{safe_name(name)}"


def section_page_path(name: str) -> str:
    """The section's own page: its months, with counts."""
    return f"{section_folder(name)}/README.md"


def month_part_path(folder: str, month: str, part: int = 1) -> str:
    """The articles of a tag or section in a month ('YYYY-MM'), in parts of PAGE_ENTRIES."""
    return f"{folder}/{month}.md" if part <= 1 else f"{folder}/{month}-{part}.md"


# -- the calendar: year -> month -> day ------------------------------------------------------


def day_page_path(lang: str, day: str) -> str:
    """day is 'YYYY-MM-DD'."""
    return f"{lang}/{day.replace('-', '/')}/README.md"


def month_page_path(lang: str, month: str) -> str:
    """month is 'YYYY-MM': its days, with counts."""
    return f"{lang}/{month.replace('-', '/')}/README.md"


def image_path(url: str) -> str:
    """Where a picture is kept: images/YYYY/MM/<shard>/<name> for the site's uploads,
    images/other/<shard>/<hash><ext> for anything else (a month of the site's uploads is
    thousands of files: the shards keep each folder to a few dozen)."""
    path = unquote(urlsplit(url).path)
    ext = posixpath.splitext(path)[1].lower()
    ext = ext if ext in IMAGE_EXTENSIONS else ".img"
    m = UPLOAD_PATH_RE.match(path)
    if m:
        stem, _ = posixpath.splitext(m["name"])
        name = safe_name(stem)
        if name == stem:
            return f"images/{m['y']}/{m['m']}/{shard(name)}/{name}{ext}"
    digest = _short_hash(url)
    return f"images/other/{digest[:2]}/{digest}{ext}"


def relative_link(from_page: str, to_path: str) -> str:
    """A link from one archive page to another, both relative to ARCHIVE_DIR (posixpath.relpath
    does the same, but asks the file system for the current directory on every call)."""
    here = from_page.split("/")[:-1]
    there = to_path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


def link_to_root(from_page: str) -> str:
    """The prefix that leads from a page back to ARCHIVE_DIR ("../../../../" for an article)."""
    return "../" * from_page.count("/")


def is_inside(path: str) -> bool:
    """True when an archive-relative path cannot leave the archive."""
    normal = posixpath.normpath(path)
    return not (
        normal.startswith(("/", "../")) or normal in ("..", ".") or "\x00" in path or "\\" in path
    )
