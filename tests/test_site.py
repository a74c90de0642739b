"""`scrapy site` (crawler/website/): the archive as a static HTML site, built from a crawl of
the replica (hostile articles included), checked file by file and in headless Chromium."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from crawler.website.measure import chromium, serve
from tests.conftest import crawl, run_scrapy
from tests.site.replica import Replica

_REF_RE = re.compile(r'(?:href|src)="([^"]*)"')


def build_site(archive: Path, site: Path, *args: str):
    result = run_scrapy("site", *args, "-s", f"ARCHIVE_DIR={archive}", "-s", f"SITE_DIR={site}")
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("website")
    archive, site = tmp / "archive", tmp / "site"
    with Replica(
        "--start", "2021-06-29", "--days", "3", "--per-day", "6", "--faults", "hostile"
    ) as replica:
        run = crawl(replica.url, archive, "-a", "start=2021-06-29", "-a", "end=2021-07-01")
    assert run.returncode == 0, run.stderr[-3000:]
    log = build_site(archive, site)
    return archive, site, log


def _articles(archive: Path) -> list[Path]:
    return sorted(archive.glob("gb/*/*/*/a*.md"))


def _title(markdown: str) -> str:
    """An article file's title, from its front matter."""
    return re.search(r"^title: (.*)$", markdown, re.M).group(1).strip("'\"")


def test_every_page_is_html_and_every_link_resolves(built):
    archive, site, log = built
    pages = [p for p in archive.rglob("*.md") if ".state" not in p.parts]
    assert len(_articles(archive)) >= 12
    for page in pages:
        rel = page.relative_to(archive).as_posix()
        name = "index.html" if page.name == "README.md" else page.stem + ".html"
        assert (site / rel).with_name(name).is_file(), rel
    htmls = [p for p in site.rglob("*.html") if "pagefind" not in p.parts]
    assert len(htmls) == len(pages) + 1  # and search.html
    for html_file in htmls:
        html = html_file.read_text("utf-8")
        assert 'http-equiv="Content-Security-Policy"' in html
        assert "script-src 'self' 'wasm-unsafe-eval';" in html
        assert re.findall(r"<script[^>]*>", html) == [
            f'<script src="{"../" * (len(html_file.relative_to(site).parts) - 1)}_assets/search.js" defer>'
        ]
        assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", html, re.I), html_file
        assert 'href="javascript:' not in html.lower()
        for ref in map(unescape, _REF_RE.findall(html)):
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or not parts.path:
                assert parts.scheme in ("http", "https", ""), (html_file, ref)
                continue
            target = (html_file.parent / unquote(parts.path)).resolve()
            assert target.is_file(), (html_file, ref)
            assert site.resolve() in target.parents
    # Pictures are in the site, linked or copied, and the search index is where Pagefind's is
    assert list((site / "images").rglob("*.jpg"))
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert "search index of 2021 made again" in log


def test_home_page_has_the_calendar(built):
    archive, site, _ = built
    home = (site / "index.html").read_text("utf-8")
    svg = re.search(r"<svg[^>]*class=\"calendar\".*?</svg>", home, re.S)
    assert svg, "no calendar"
    assert 'href="gb/2021/06/29/index.html"' in svg.group(0)
    assert "2021-06-30：6 篇" in svg.group(0)
    # The hostile day's broken articles were listed but not archived: that day is marked
    assert re.search(r'class="missing"><title>2021-07-01：\d+ 篇，另有 \d+ 篇', svg.group(0))


def test_a_rebuild_converts_only_what_changed(built, tmp_path):
    archive, site = tmp_path / "archive", tmp_path / "site"
    shutil.copytree(built[0], archive, symlinks=True)
    shutil.copytree(built[1], site, symlinks=True)
    assert "1 pages converted, 0 pictures and files linked, 0 removed" in build_site(archive, site)
    first, second = _articles(archive)[:2]
    first.write_text(first.read_text("utf-8") + "\n补充的一段。\n", "utf-8")
    second.unlink()
    log = build_site(archive, site)
    assert "2 pages converted, 0 pictures and files linked, 1 removed" in log, log
    assert "search index of 2021 made again" in log
    out = site / first.relative_to(archive).with_suffix(".html")
    assert "补充的一段。" in out.read_text("utf-8")
    assert not (site / second.relative_to(archive).with_suffix(".html")).exists()


def test_breadcrumbs_and_sharing_note_are_not_searched():
    """Every article has them: indexed, they would match every article and fill the excerpts."""
    import json

    from crawler.archive.pages import SHARE_LINE, render_article
    from crawler.website.render import page

    golden = Path(__file__).parent / "fixtures" / "golden"
    record = json.loads(next(golden.glob("a*.json")).read_text("utf-8"))
    text = render_article(record, "https://mirror.example.org/")
    html, _ = page(record["path"], text)
    main = html[html.index("<main") : html.index("</main>")]
    assert main.startswith('<main class="article" data-pagefind-body>\n<p class="crumbs" data-')
    crumbs = main[: main.index("<h1>")]
    assert crumbs.count("data-pagefind-ignore") == 1 and "首页" in crumbs
    share = main[main.index(SHARE_LINE[:6]) - 40 :]
    assert share.split(SHARE_LINE[:6])[0].endswith("<p data-pagefind-ignore>")
    assert main.count("data-pagefind-ignore") == 2


def test_one_search_bundle_a_year_merged_in_the_browser(tmp_path):
    """The newest year's bundle at pagefind/, the others beside it and merged by search.js; a
    rebuild indexes again only the year that changed; when the newest year's articles are gone,
    the year before takes pagefind/."""
    import json

    archive, site = tmp_path / "archive", tmp_path / "site"
    with Replica("--start", "2021-12-31", "--days", "2", "--per-day", "3") as replica:
        run = crawl(replica.url, archive, "-a", "start=2021-12-31", "-a", "end=2022-01-01")
    assert run.returncode == 0, run.stderr[-3000:]
    log = build_site(archive, site)
    assert "search index of 2022, 2021 made again" in log, log
    listing = json.loads((site / "_assets" / "search-indexes.json").read_text())
    assert (listing["newest"], listing["merge"]) == ("2022", ["pagefind-2021/"])
    old_year = site / "pagefind-2021" / "pagefind-entry.json"
    old_year_made = old_year.stat().st_mtime_ns

    def title_query(article: Path) -> tuple[str, str]:
        title = _title(article.read_text("utf-8"))
        words = re.findall(r"[\u4e00-\u9fff]{2,}", title)
        return max(words, key=len)[:4], "/" + article.relative_to(archive).with_suffix(
            ".html"
        ).as_posix()

    def found_in_browser(queries):
        with serve(site) as root, chromium() as browser:
            page = browser.new_page()
            page.goto(root + "index.html")
            return [(path, path in _search(page, query)) for query, path in queries]

    in_2021 = sorted(archive.glob("gb/2021/*/*/a*.md"))
    in_2022 = sorted(archive.glob("gb/2022/*/*/a*.md"))
    assert in_2021 and in_2022
    queries = [title_query(in_2021[0]), title_query(in_2022[0])]
    assert found_in_browser(queries) == [(path, True) for _, path in queries]

    in_2022[0].write_text(in_2022[0].read_text("utf-8") + "\n新的一段。\n", "utf-8")
    log = build_site(archive, site)
    assert "search index of 2022 made again" in log, log
    assert old_year.stat().st_mtime_ns == old_year_made
    # A build without the index (or one interrupted) leaves its years to the next build
    in_2021[0].write_text(in_2021[0].read_text("utf-8") + "\n补记一段。\n", "utf-8")
    assert "search index unchanged" in build_site(archive, site, "--no-index")
    log = build_site(archive, site)
    assert "1 pages converted" in log and "search index of 2021 made again" in log, log

    for article in in_2022:
        article.unlink()
    log = build_site(archive, site)
    assert "search index of 2021 made again" in log, log
    assert not (site / "pagefind-2021").exists()
    listing = json.loads((site / "_assets" / "search-indexes.json").read_text())
    assert (listing["newest"], listing["merge"]) == ("2021", [])
    assert found_in_browser(queries[:1]) == [(queries[0][1], True)]


def test_any_run_of_a_titles_characters_is_found(built):
    """Pagefind cuts a title into words by context, so a run of a title's characters is often
    not a word of its index (of 3-character runs, a third were missed): every article lists
    its title's and tags' pairs of characters (render.search_terms) and the search box also
    looks for the query's pairs. Shown excerpts are the article's text, never the pairs."""
    archive, site, _ = built
    windows = []
    for path in _articles(archive):
        title = _title(path.read_text("utf-8"))
        url = "/" + path.relative_to(archive).with_suffix(".html").as_posix()
        for run in re.findall(r"[\u4e00-\u9fff]{4,}", title):
            windows += [(run[i : i + 3], url) for i in range(len(run) - 2)]
    assert len(windows) > 50
    with serve(site) as root, chromium() as browser:
        page = browser.new_page()
        page.goto(root + "index.html")
        found = page.evaluate(
            "qs => Promise.all(qs.map((q) => window.archiveSearch(q)))", [q for q, _ in windows]
        )
        missed = [q for (q, url), urls in zip(windows, found, strict=True) if url not in urls]
        assert missed == []

        # The query's other words count too: every result of "<title words> Getty" has Getty
        def text_of(url: str) -> str:
            return (archive / url.lstrip("/")).with_suffix(".md").read_text("utf-8").lower()

        without = [(q, url) for q, url in windows if "getty" not in text_of(url)]
        assert without and any("getty" in text_of(url) for _, url in windows)
        for query, url in without[:5]:
            urls = page.evaluate("q => window.archiveSearch(q)", f"{query} Getty")
            assert url not in urls and all("getty" in text_of(u) for u in urls), query
        for query, url in windows[::15]:
            assert url in _search(page, query), query
            excerpts = page.eval_on_selector_all(
                "#search-results .excerpt", "es => es.map(e => e.textContent)"
            )
            assert not any(re.search(r"(?:[\u4e00-\u9fff]{2} ){3}", e) for e in excerpts), query


def test_site_dir_inside_the_archive_is_refused(built, tmp_path):
    archive = built[0]
    result = run_scrapy(
        "site", "-s", f"ARCHIVE_DIR={archive}", "-s", f"SITE_DIR={archive / 'site'}"
    )
    assert result.returncode == 2
    assert "outside the archive" in result.stderr
    assert not (archive / "site").exists()


# Records CSP violations before any script of the page runs
WATCH_CSP = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));"""


def _search(page, query: str) -> list[str]:
    box = page.locator("form.search input[name=q]")
    box.fill(query)
    box.press("Enter")
    page.wait_for_selector("#search-results a.result", timeout=20_000)
    return [
        urlsplit(h).path
        for h in page.eval_on_selector_all("#search-results a.result", "as => as.map(a => a.href)")
    ]


def test_in_a_real_browser(built):
    archive, site, _ = built
    meta = {}
    for path in _articles(archive):
        text = path.read_text("utf-8")
        meta[path.relative_to(archive).with_suffix(".html").as_posix()] = text
    hostile_title = "标题: [链接](javascript:alert(1))"
    with serve(site) as root, chromium() as browser:
        host = urlsplit(root).netloc
        page = browser.new_page()
        requests, dialogs, errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        page.add_init_script(WATCH_CSP)
        violations = []

        def visit_check():
            page.wait_for_load_state("load")
            violations.extend(page.evaluate("window.__violations"))

        page.goto(root + "index.html")
        visit_check()
        assert page.locator("svg.calendar rect").count() > 300
        # Home -> a day -> an article with its picture -> a tag
        page.locator("svg.calendar a").first.click()
        visit_check()
        assert re.search(r"/gb/2021/\d\d/\d\d/index\.html$", page.url)
        page.locator("main li a[href^='a']").first.click()
        visit_check()
        assert re.search(r"/gb/2021/\d\d/\d\d/a\d+\.html$", page.url)
        images = page.locator("main img")
        assert images.count() >= 1
        widths = images.evaluate_all(
            "imgs => Promise.all(imgs.map(i => i.decode().then(() => i.naturalWidth, () => 0)))"
        )
        assert all(w > 0 for w in widths), widths
        page.locator("main p.tags a").first.click()
        visit_check()
        assert "/tags/" in page.url and page.url.endswith("/index.html")

        # Three Chinese queries, each finding its article: a title's words, a tag, body words
        article_path, text = next(
            (p, t) for p, t in meta.items() if "tags: [" in t and "tags: []" not in t
        )
        title = _title(text)
        tag = re.search(r"^tags: \[([^,\]]+)", text, re.M).group(1).strip("'\"")
        words = re.findall(r"[\u4e00-\u9fff]{2,}", title)
        for query in (max(words, key=len)[:4], tag, "第二段正文"):
            found = _search(page, query)
            if query == "第二段正文":
                assert any(m for m in found if m.endswith(".html")), found
            else:
                assert "/" + article_path in found, (query, found)
        found = _search(page, max(words, key=len)[:4])
        page.locator("#search-results a.result", has_text=title[:6]).first.click()
        visit_check()
        assert urlsplit(page.url).path.startswith("/gb/")

        # The hostile articles run nothing
        for path, text in meta.items():
            if "javascript" in text or "<script" in text or "onerror" in text:
                page.goto(root + path)
                visit_check()
                page.wait_for_timeout(200)
        assert hostile_title  # the hostile title is among them (tests/site/hostile.py)
    assert not dialogs, dialogs
    assert not violations, violations
    assert not errors, errors
    foreign = [u for u in requests if urlsplit(u).netloc != host]
    assert not foreign, foreign
