"""The README's screenshots of the website: the replica crawled (a few days), `scrapy site`,
then headless Chromium at a phone's and a desktop's width.

    python -m tests.site.screenshots            # into docs/images/
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from crawler.website.measure import chromium, serve
from tests.conftest import crawl, run_scrapy
from tests.site.replica import PROJECT_ROOT, Replica

START, END = "2021-06-20", "2021-06-22"
OUT = PROJECT_ROOT / "docs" / "images"
PHONE = {"width": 390, "height": 760}
DESKTOP = {"width": 1100, "height": 760}


def build(tmp: Path) -> Path:
    archive, site = tmp / "archive", tmp / "site"
    with Replica("--start", START, "--days", "3", "--per-day", "12") as replica:
        ran = crawl(replica.url, archive, "-a", f"start={START}", "-a", f"end={END}")
    if ran.returncode != 0:
        raise SystemExit(f"the crawl failed:\n{ran.stderr[-3000:]}")
    built = run_scrapy("site", "-s", f"ARCHIVE_DIR={archive}", "-s", f"SITE_DIR={site}")
    if built.returncode != 0:
        raise SystemExit(f"scrapy site failed:\n{built.stderr[-3000:]}")
    return site


def an_article_with_a_picture(site: Path) -> str:
    for page in sorted(site.glob("gb/*/*/*/a*.html")):
        html = page.read_text("utf-8")
        if "<img" in html and "tags" in html:
            return page.relative_to(site).as_posix()
    raise SystemExit("no article with a picture in the site")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = build(Path(tmp))
        article = an_article_with_a_picture(site)
        title = re.search(r"<h1>(.*?)</h1>", (site / article).read_text("utf-8"), re.S)[1]
        words = re.findall(r"[\u4e00-\u9fff]{2,}", title)
        query = max(words, key=len)[:4]
        with serve(site) as root, chromium() as browser:
            desktop = browser.new_page(viewport=DESKTOP)
            desktop.goto(root + "index.html")
            desktop.screenshot(path=OUT / "home.png")
            phone = browser.new_page(viewport=PHONE, device_scale_factor=1)
            phone.goto(root + article)
            phone.wait_for_load_state("load")
            phone.screenshot(path=OUT / "article.png")
            phone.goto(root + "index.html")
            box = phone.locator("form.search input[name=q]")
            box.fill(query)
            box.press("Enter")
            phone.wait_for_selector("#search-results a.result", timeout=20_000)
            phone.wait_for_timeout(500)
            phone.screenshot(path=OUT / "search.png")
    for name in ("home", "article", "search"):
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
