"""Serve a built site on loopback and measure its search in headless Chromium (Debian's
`chromium`, driven by Playwright): the recall of Chinese queries over the corpus, the index's
size. `python -m crawler.website.measure ARCHIVE_DIR SITE_DIR [--sample N]` prints the figures
for the README; the tests use serve() and chromium()."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import random
import re
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crawler.website.render import html_path, split_front_matter

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]{2,}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(site_dir: str | Path):
    """python's http.server on 127.0.0.1 (a free port), serving the site; yields its root URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium():
    """A headless Chromium browser (Playwright's own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Every result's address for a query, found as the site's search box finds them
# (window.archiveSearch of static/search.js: the same bundles, the same two searches)
SEARCH_ALL = """async (queries) => {
  const out = [];
  for (const q of queries) {
    out.push(await window.archiveSearch(q));
  }
  return out;
}"""


def corpus(archive_dir: str | Path) -> list[dict]:
    """(path of the article's page in the site, title, tags) of every article."""
    articles = []
    for path in sorted(Path(archive_dir).glob("[gb][b5]/*/*/*/a*.md")):
        meta, _ = split_front_matter(path.read_text("utf-8"))
        if meta.get("id") and meta.get("title"):
            rel = path.relative_to(archive_dir).as_posix()
            tags = [str(t) for t in meta.get("tags") or []]
            articles.append(
                {"url": "/" + html_path(rel), "title": str(meta["title"]), "tags": tags}
            )
    return articles


def title_query(title: str, seen: Counter) -> str | None:
    """A title's distinctive words: of its 4-character runs of Chinese (shorter runs whole),
    the one fewest titles of the corpus hold."""
    candidates = []
    for run in _CJK_RUN_RE.findall(title):
        if len(run) <= 4:
            candidates.append(run)
        else:
            candidates += [run[i : i + 4] for i in range(len(run) - 3)]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (seen[c], -len(c)))


def queries(articles: list[dict], sample: int, seed: int = 14) -> tuple[list, list]:
    """([(query, url expected)] for titles, [(tag, {urls carrying it})] for tags)."""
    seen: Counter = Counter()
    for article in articles:
        words = set()
        for run in _CJK_RUN_RE.findall(article["title"]):
            words.add(run) if len(run) <= 4 else None
            words.update(run[i : i + 4] for i in range(len(run) - 3))
        seen.update(words)
    rng = random.Random(seed)
    chosen = rng.sample(articles, min(sample, len(articles)))
    titles = [(q, a["url"]) for a in chosen if (q := title_query(a["title"], seen))]
    by_tag: dict[str, set] = {}
    for article in articles:
        for tag in article["tags"]:
            if _CJK_RUN_RE.fullmatch(tag):
                by_tag.setdefault(tag, set()).add(article["url"])
    # Tags of up to 300 articles (every result's address is loaded to check it)
    names = sorted(t for t, urls in by_tag.items() if len(urls) <= 300)
    tags = [(t, by_tag[t]) for t in rng.sample(names, min(sample, len(names)))]
    return titles, tags


def measure(archive_dir: str | Path, site_dir: str | Path, sample: int = 200) -> dict:
    articles = corpus(archive_dir)
    titles, tags = queries(articles, sample)
    with serve(site_dir) as root, chromium() as browser:
        page = browser.new_page()
        page.goto(root + "index.html")
        found_titles = page.evaluate(SEARCH_ALL, [q for q, _ in titles])
        found_tags = page.evaluate(SEARCH_ALL, [t for t, _ in tags])
    title_hits = sum(
        url in set(found) for (_, url), found in zip(titles, found_titles, strict=True)
    )
    tag_expected = sum(len(urls) for _, urls in tags)
    tag_hits = sum(
        len(urls & set(found)) for (_, urls), found in zip(tags, found_tags, strict=True)
    )
    bundles = [p for p in Path(site_dir).iterdir() if p.name.startswith("pagefind")]
    index = [p for bundle in bundles for p in bundle.rglob("*") if p.is_file()]
    missed = [q for (q, url), found in zip(titles, found_titles, strict=True) if url not in found]
    return {
        "articles": len(articles),
        "title_queries": len(titles),
        "title_recall": title_hits / max(len(titles), 1),
        "tag_queries": len(tags),
        "tag_articles": tag_expected,
        "tag_recall": tag_hits / max(tag_expected, 1),
        "index_files": len(index),
        "index_bytes": sum(p.stat().st_size for p in index),
        "missed_title_queries": missed[:20],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive_dir")
    parser.add_argument("site_dir")
    parser.add_argument("--sample", type=int, default=200, help="queries of each kind")
    args = parser.parse_args()
    figures = measure(args.archive_dir, args.site_dir, args.sample)
    per = 10_000 / max(figures["articles"], 1)
    figures["index_files_per_10k"] = round(figures["index_files"] * per)
    figures["index_mb_per_10k"] = round(figures["index_bytes"] * per / 1e6, 1)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
