"""`scrapy site`: the archive's Markdown pages as a static HTML site in SITE_DIR, pictures
linked (or copied), the home page's calendar, and Pagefind's search index.

Incremental: SITE_DIR/.site-manifest.json keeps, for each file of the archive the site was
built from, its size and modification time (the archive rewrites a file only when its bytes
change: docs/archive.md), so a rebuild after a scheduled run converts only the pages the run
wrote, links only its new pictures and removes the pages whose source is gone. The home page
(its calendar comes from the store) is made every time; the search index is made again
again for each year whose articles changed (Pagefind has no incremental mode): one search
bundle per year, the newest at SITE_DIR/pagefind (Pagefind's place) and the others beside it
(pagefind-YYYY), merged in the browser, so that a scheduled run indexes its year again, not the
whole archive. Each bundle is made in a new folder swapped in when complete."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata, resources
from itertools import count
from pathlib import Path

from crawler.archive.paths import ARTICLE_FILE_RE
from crawler.site.urls import LANGS
from crawler.website import render
from crawler.website.calendar import calendar_svg, day_counts

MANIFEST = ".site-manifest.json"
PAGEFIND_DIR = "pagefind"
# The other years' search bundles, which search.js merges into the newest year's
YEAR_BUNDLE = "pagefind-{year}"
YEAR_BUNDLE_RE = re.compile(r"^pagefind-(\d{4})$")
_TEMPORARY_BUNDLE_RE = re.compile(r"^\.pagefind(-\d{4})?-(new|old)$")
SEARCH_INDEXES = f"{render.ASSETS}/search-indexes.json"
HOME = "README.md"
# Names the site uses for itself at its top: never an archive page's
RESERVED = {render.ASSETS, PAGEFIND_DIR, MANIFEST, render.SEARCH_PAGE}
STATIC_FILES = ("style.css", "search.js", "favicon.svg")
# Below this many pages, one process converts them (a pool costs more than it saves)
POOL_MIN_PAGES = 200


class SiteError(Exception):
    """The build cannot start (no archive, SITE_DIR inside it…): one line says why."""


@dataclass
class BuildResult:
    pages: int = 0  # converted
    files: int = 0  # pictures and other files linked or copied
    removed: int = 0
    unchanged: int = 0
    index_files: int = 0  # of all the years' bundles
    index_bytes: int = 0
    indexed_years: list[str] = field(default_factory=list)
    seconds: float = 0.0
    index_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def indexed(self) -> bool:
        return bool(self.indexed_years)

    def summary(self) -> str:
        index = (
            f"search index of {', '.join(self.indexed_years)} made again"
            f" ({self.index_seconds:.1f} s; all years: {self.index_files} files,"
            f" {self.index_bytes / 1e6:.1f} MB)"
            if self.indexed
            else "search index unchanged"
        )
        return (
            f"{self.pages} pages converted, {self.files} pictures and files linked, "
            f"{self.removed} removed, {self.unchanged} unchanged; {index}; {self.seconds:.1f} s"
        )


def _version() -> str:
    """The build's own version: a change of the templates, the style or the code that makes
    pages means every page is made again."""
    digest = hashlib.sha256()
    for name in ("render.py", "calendar.py", "build.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    for name in STATIC_FILES:
        digest.update(_static(name))
    return digest.hexdigest()[:16]


def _static(name: str) -> bytes:
    return resources.files("crawler.website").joinpath("static", name).read_bytes()


_temporary = count()


def _write(path: Path, data: bytes) -> bool:
    """Write through a temporary file and rename it into place; False if the bytes were there."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-site-{os.getpid()}-{next(_temporary)}"
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def _link_file(source: Path, target: Path) -> None:
    """The picture in the site: a hard link (no copy) where the file system allows one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".tmp-site-{os.getpid()}-{next(_temporary)}"
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copy2(source, tmp)
    os.replace(tmp, target)


def scan(archive: Path) -> dict[str, tuple[int, int]]:
    """Every file of the archive's mirror (not .state, nor a file being written) -> (size,
    modification time in ns)."""
    found: dict[str, tuple[int, int]] = {}
    stack = [(archive, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if not (prefix == "" and entry.name in RESERVED):
                        stack.append((Path(entry.path), rel + "/"))
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    found[rel] = (st.st_size, st.st_mtime_ns)
    return found


def output_path(rel: str) -> str:
    return render.html_path(rel) if rel.endswith(".md") else rel


def convert_page(archive: str, site: str, rel: str, after_intro: str = "") -> str | None:
    """Convert one Markdown page; an error message instead of an exception (a bad page does
    not stop the build)."""
    try:
        text = (Path(archive) / rel).read_text("utf-8", errors="replace")
        html, _ = render.page(rel, text, after_intro=after_intro)
        _write(Path(site) / render.html_path(rel), html.encode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - reported, the others are still converted
        return f"{rel}: {exc!r}"
    return None


def _convert_many(archive: str, site: str, rels: list[str], processes: int) -> list[str]:
    if processes <= 1 or len(rels) < POOL_MIN_PAGES:
        results = [convert_page(archive, site, rel) for rel in rels]
    else:
        with ProcessPoolExecutor(processes) as pool:
            n = len(rels)
            results = list(
                pool.map(
                    convert_page,
                    [archive] * n,
                    [site] * n,
                    rels,
                    chunksize=max(1, min(256, n // (processes * 8))),
                )
            )
    return [r for r in results if r]


def _prune(site: Path, rel: str) -> None:
    folder = (site / rel).parent
    while folder != site:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def check_folders(archive: Path, site: Path) -> None:
    if not (archive / HOME).is_file():
        raise SiteError(f"no archive at {str(archive)!r} (no {HOME}): nothing to build")
    if site == archive or archive in site.parents or site in archive.parents:
        raise SiteError(
            f"SITE_DIR {str(site)!r} must be outside the archive {str(archive)!r} and not hold it"
        )


def year_of(rel: str) -> str | None:
    """The year of an article's page (by its address), None for any other file."""
    m = ARTICLE_FILE_RE.match(rel)
    return m[2] if m else None


def bundle_name(year: str, newest: str) -> str:
    return PAGEFIND_DIR if year == newest else YEAR_BUNDLE.format(year=year)


def run_pagefind(site: Path, year: str, bundle: str) -> None:
    """Pagefind's index of one year's articles into a new folder, then swapped for
    SITE_DIR/`bundle`."""
    new, old = site / f".{bundle}-new", site / f".{bundle}-old"
    for stale in (new, old):
        shutil.rmtree(stale, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-path",
        str(new),
        # The year's articles only: index pages carry no data-pagefind-body anyway
        "--glob",
        f"{{{','.join(LANGS)}}}/{year}/**/a*.html",
        "--quiet",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(new, ignore_errors=True)
        raise SiteError(f"pagefind failed: {(result.stderr or result.stdout).strip()[-2000:]}")
    current = site / bundle
    if current.exists():
        os.replace(current, old)
    os.replace(new, current)
    shutil.rmtree(old, ignore_errors=True)


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return ""


def year_digests(current: dict[str, tuple[int, int]], build_version: str) -> dict[str, str]:
    """year -> a digest of what its search bundle is made from: its articles' files (path,
    size, time), the build's own version (the pages' HTML) and Pagefind's (bundles of two
    versions do not merge)."""
    by_year: dict[str, list] = {}
    for rel, signature in current.items():
        year = year_of(rel)
        if year:
            by_year.setdefault(year, []).append((rel, *signature))
    versions = f"{build_version} {_pagefind_version()}".encode()
    digests = {}
    for year, files in by_year.items():
        digest = hashlib.sha256(versions)
        for entry in sorted(files):
            digest.update(repr(entry).encode())
        digests[year] = digest.hexdigest()[:16]
    return digests


def _read_listing(site: Path) -> dict:
    try:
        listing = json.loads((site / SEARCH_INDEXES).read_text("utf-8"))
        return listing if isinstance(listing, dict) else {}
    except (OSError, ValueError):
        return {}


def index_years(site: Path, digests: dict[str, str], result: BuildResult) -> None:
    """Each year's search bundle made again where what it is made from changed since it was
    made, or it is missing (the newest year's at SITE_DIR/pagefind, so a new year moves the
    previous one to its own bundle); the bundles of years no longer in the archive removed;
    the list of the bundles, which search.js merges, written after each bundle made, so that
    a build interrupted (or run without an index) leaves its years to the next."""
    listing = _read_listing(site)
    made = listing.get("made") if isinstance(listing.get("made"), dict) else {}
    newest = max(digests) if digests else None
    if listing.get("newest") != newest:
        made = {y: d for y, d in made.items() if y != newest}  # pagefind/ holds another year
    made = {y: d for y, d in made.items() if y in digests}

    def write_listing() -> None:
        others = [bundle_name(y, newest) + "/" for y in sorted(made, reverse=True) if y != newest]
        listing = {"newest": newest, "merge": others, "made": made}
        _write(site / SEARCH_INDEXES, json.dumps(listing, sort_keys=True).encode())

    started = time.monotonic()
    for year in sorted(digests, reverse=True):
        bundle = bundle_name(year, newest)
        if made.get(year) != digests[year] or not (site / bundle / "pagefind.js").exists():
            made.pop(year, None)
            write_listing()  # not merged while it is made
            run_pagefind(site, year, bundle)
            made[year] = digests[year]
            write_listing()
            result.indexed_years.append(year)
    result.index_seconds = time.monotonic() - started
    for entry in site.iterdir():
        m = YEAR_BUNDLE_RE.match(entry.name)
        gone = m and (m[1] not in digests or m[1] == newest)
        if (
            gone
            or (newest is None and entry.name == PAGEFIND_DIR)
            or _TEMPORARY_BUNDLE_RE.match(entry.name)
        ):
            shutil.rmtree(entry, ignore_errors=True)
    write_listing()
    bundles = [site / bundle_name(y, newest) for y in made]
    files = [p for bundle in bundles for p in bundle.rglob("*") if p.is_file()]
    result.index_files, result.index_bytes = len(files), sum(p.stat().st_size for p in files)


def build(
    archive_dir: str | Path,
    site_dir: str | Path,
    *,
    full: bool = False,
    index: bool = True,
    processes: int = 0,
) -> BuildResult:
    started = time.monotonic()
    archive, site = Path(archive_dir).resolve(), Path(site_dir).resolve()
    check_folders(archive, site)
    site.mkdir(parents=True, exist_ok=True)
    result = BuildResult()
    version = _version()
    manifest_path = site / MANIFEST
    old: dict[str, list[int]] = {}
    if not full:
        try:
            saved = json.loads(manifest_path.read_text("utf-8"))
            if saved.get("version") == version:
                old = saved["files"]
        except (OSError, ValueError, KeyError, AttributeError):
            old = {}
    current = scan(archive)

    changed_pages, changed_files = [], []
    for rel, signature in current.items():
        if rel == HOME:
            continue  # made every time, below (its calendar comes from the store)
        if old.get(rel) == list(signature) and (site / output_path(rel)).exists():
            result.unchanged += 1
        elif rel.endswith(".md"):
            changed_pages.append(rel)
        else:
            changed_files.append(rel)

    for rel in changed_files:
        try:
            _link_file(archive / rel, site / rel)
            result.files += 1
        except OSError as exc:
            result.errors.append(f"{rel}: {exc!r}")
            current.pop(rel, None)
    workers = processes or os.cpu_count() or 1
    errors = _convert_many(str(archive), str(site), changed_pages, workers)
    result.pages += len(changed_pages) - len(errors)
    for error in errors:
        result.errors.append(error)
        current.pop(error.split(": ", 1)[0], None)

    archived, missing = day_counts(archive)
    error = convert_page(str(archive), str(site), HOME, after_intro=_calendar(archived, missing))
    if error:
        result.errors.append(error)
    else:
        result.pages += 1

    gone = set(old) - set(current)
    for rel in gone:
        target = site / output_path(rel)
        if target.exists() or target.is_symlink():
            target.unlink()
            _prune(site, output_path(rel))
        result.removed += 1

    for name in STATIC_FILES:
        _write(site / render.ASSETS / name, _static(name))
    _write(site / render.SEARCH_PAGE, render.search_page().encode("utf-8"))
    _write(
        manifest_path,
        json.dumps({"version": version, "files": current}, separators=(",", ":")).encode(),
    )

    if index:
        index_years(site, year_digests(current, version), result)
    result.seconds = time.monotonic() - started
    return result


def _calendar(archived: dict, missing: dict) -> str:
    svg = calendar_svg(archived, missing)
    if not svg:
        return ""
    return f'<figure class="calendar">\n<h2>存档日历</h2>\n{svg}\n</figure>'
