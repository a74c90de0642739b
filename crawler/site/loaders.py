"""Everything that knows the markup of the site's pages: the daily archive (listing) page and
the article page (docs/site.md). When the site changes its markup, this is the file to change."""

from __future__ import annotations

import json
import re

from itemloaders.processors import MapCompose, TakeFirst
from lxml import etree
from parsel import css2xpath
from scrapy.http import TextResponse
from scrapy.loader import ItemLoader
from w3lib.html import replace_escape_chars

from crawler.archive.paths import link_to_root, tag_page_path
from crawler.items import EXPORTED_FIELDS, Article
from crawler.site.body import Body, convert_body
from crawler.site.credits import find_credit
from crawler.site.dates import parse_jsonld_beijing_time, parse_printed_beijing_time
from crawler.site.urls import ArticleAddress, absolute_url, article_url, section_slug_from_url

TITLE_SUFFIX_RE = re.compile(r"\s*[|｜-]\s*新唐人(?:电视台|電視台)?\s*$")
HOME_LINK_TEXTS = frozenset({"首页", "首頁", "新唐人", "新唐人电视台", "新唐人電視台", "home"})
# i.ntdtv.com/…/name-800x450.jpg is the shown size of …/name.jpg
SIZED_IMAGE_RE = re.compile(r"-\d{2,5}x\d{2,5}(?=\.\w{2,5}(?:\?.*)?$)")


def _css(query: str) -> etree.XPath:
    """A CSS selector compiled once, as parsel translates it for response.css(): the selectors
    below run on every article page, and parsel would compile each on every call."""
    return etree.XPath(css2xpath(query), smart_strings=False)


_STRING = etree.XPath("string()", smart_strings=False)

# -- the daily archive page: /gb/2021/06/23/, /gb/2021/06/23/page/2/ ---------------------------
_LISTED_LINKS = _css("div.one_post div.title a")
_NEXT_PAGE = _css("a.next.page-numbers")


def listing_links(response: TextResponse) -> list[str]:
    """The story links of a daily archive page, as the page gives them (absolute,
    root-relative or percent-encoded), in page order."""
    links = _LISTED_LINKS(response.selector.root)
    return [href for a in links if (href := a.get("href")) is not None]


def next_page_link(response: TextResponse) -> str | None:
    """The link to the archive page after this one (下一页), None on the last page."""
    hrefs = (a.get("href") for a in _NEXT_PAGE(response.selector.root))
    return next((href for href in hrefs if href is not None), None)


# -- the article page: /gb/2021/06/23/a103149816.html ------------------------------------------
# The article's blocks, each a div of its class: found in one walk over the page, since every
# query over the whole page walks all of its nodes (one walk instead of five)
_BLOCK_CLASSES = ("article_title", "article_info", "breadcrumbs", "featured_image", "post_content")
_BLOCKS = etree.XPath(
    "descendant-or-self::div[@class]["
    + " or ".join(f"contains(@class, '{name}')" for name in _BLOCK_CLASSES)
    + "]",
    smart_strings=False,
)
# What CSS counts as white space between class names (normalize-space in parsel's XPath)
_CLASS_SEPARATOR_RE = re.compile(r"[ \t\r\n]+")
# Inside the blocks: div.article_title h1, div.article_info .time, div.breadcrumbs a
_TITLE = etree.XPath("descendant::h1", smart_strings=False)
_PRINTED_TIME = etree.XPath(
    "descendant::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' time ')]",
    smart_strings=False,
)
_BREADCRUMB_LINKS = etree.XPath("descendant::a", smart_strings=False)
_JSON_LD = _css('script[type="application/ld+json"]::text')
_FIGURE_IMG = _css("figure img")
_IMG = _css("img")
_LINKED_FIGURE_HREF = etree.XPath(".//*[figure][@href]/@href", smart_strings=False)
_CAPTION = _css("span.caption")
_FIGCAPTION = _css("figcaption")
# The body: the marked-up post content, else any post content, else any marked-up body
_MARKED_UP_BODY = _css('[itemprop="articleBody"]')


def _blocks_by_class(root) -> dict[str, list]:
    """The page's divs of each of _BLOCK_CLASSES, in page order."""
    blocks: dict[str, list] = {name: [] for name in _BLOCK_CLASSES}
    for div in _BLOCKS(root):
        names = _CLASS_SEPARATOR_RE.split(div.get("class"))
        for name in _BLOCK_CLASSES:
            if name in names:
                blocks[name].append(div)
    return blocks


def _body_element(root, blocks: dict[str, list]):
    """The marked-up post content, else any post content, else any marked-up body."""
    posts = blocks["post_content"]
    marked_up = [div for div in posts if div.get("itemprop") == "articleBody"]
    found = marked_up or posts or _MARKED_UP_BODY(root)
    return found[0] if found else None


def _first_string(elements: list) -> str | None:
    return _STRING(elements[0]) if elements else None


def _in_each(selector: etree.XPath, elements: list) -> list:
    """What `selector` finds inside each of `elements`, in order (SelectorList.css/xpath)."""
    return [found for element in elements for found in selector(element)]


def normalize_space(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(replace_escape_chars(text, replace_by=" ").split())
    return text or None


def strip_title_suffix(title: str) -> str:
    return TITLE_SUFFIX_RE.sub("", title)


class ArticleLoader(ItemLoader):
    """The page's short text fields: white space normalized, the first value found kept.

    Every field it loads has its processors named here: for a field without them, the loader
    reads the item's field metadata, building an adapter of the item for every value."""

    default_item_class = Article
    default_input_processor = MapCompose(normalize_space)
    default_output_processor = TakeFirst()

    title_in = MapCompose(normalize_space, strip_title_suffix, normalize_space)
    modified_in = MapCompose(parse_jsonld_beijing_time)
    section_in = section_slug_in = editor_in = source_in = default_input_processor
    title_out = modified_out = section_out = section_slug_out = editor_out = source_out = (
        default_output_processor
    )


def _json_ld(root) -> dict:
    """The NewsArticle object of the page's JSON-LD, {} when absent or broken."""
    for raw in _JSON_LD(root):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        candidates = data if isinstance(data, list) else data.get("@graph", [data])
        for node in candidates:
            if isinstance(node, dict) and ("datePublished" in node or "headline" in node):
                return node
    return {}


def _featured_image(blocks: list, page_url: str) -> dict | None:
    img = _in_each(_FIGURE_IMG, blocks) or _in_each(_IMG, blocks)
    if not img:
        return None
    src = img[0].get("src") or img[0].get("data-src")
    if not src or not src.strip() or src.strip().startswith("data:"):
        return None
    url = absolute_url(page_url, src)
    # The <figure> is wrapped in <a href=full>, <span href=full> or nothing
    wrapper_href = next(iter(_in_each(_LINKED_FIGURE_HREF, blocks)), None)
    full_url = absolute_url(page_url, wrapper_href) if wrapper_href else None
    if not full_url or not full_url.startswith(("http://", "https://")):
        full_url = SIZED_IMAGE_RE.sub("", url)
    caption = _first_string(_in_each(_CAPTION, blocks)) or _first_string(
        _in_each(_FIGCAPTION, blocks)
    )
    return {
        "url": url,
        "full_url": full_url,
        "alt": normalize_space(img[0].get("alt")),
        "caption": normalize_space(caption),
        "path": None,
    }


def _section(breadcrumbs: list, response: TextResponse) -> tuple[str | None, str | None]:
    """(display name, slug) from the breadcrumbs, else the article:section meta."""
    # In page order, each link once (a breadcrumbs div inside another has its links twice)
    links = dict.fromkeys(_in_each(_BREADCRUMB_LINKS, breadcrumbs))
    for link in reversed(links):
        name = normalize_space(_STRING(link))
        href = link.get("href") or ""
        slug = section_slug_from_url(absolute_url(response.url, href)) if href else None
        if name and (slug or name.lower() not in HOME_LINK_TEXTS):
            return name, slug
    meta = normalize_space(response.css('meta[property="article:section"]::attr(content)').get())
    return meta, None


def load_article(
    response: TextResponse, address: ArticleAddress, site_url: str, site_hosts: frozenset[str]
) -> Article:
    """Build the Article item of an article page; fields the page lacks stay None/empty."""
    path = address.archive_path
    # The response's own selector: ItemLoader would otherwise parse the page a second time
    loader = ArticleLoader(selector=response.selector, response=response)

    root = response.selector.root
    blocks = _blocks_by_class(root)
    loader.add_value("title", _first_string(_in_each(_TITLE, blocks["article_title"])))
    if not loader.get_output_value("title"):
        loader.add_css("title", 'meta[property="og:title"]::attr(content)')
        loader.add_css("title", "title::text")
    jsonld = _json_ld(root)
    loader.add_value("modified", jsonld.get("dateModified"))
    section, slug = _section(blocks["breadcrumbs"], response)
    loader.add_value("section", section)
    loader.add_value("section_slug", slug)

    body_el = _body_element(root, blocks)
    body = Body(markdown="", text="")
    authors: list[str] = []
    if body_el is not None:
        to_root = link_to_root(path)
        body = convert_body(
            body_el,
            base_url=response.url,
            site_hosts=site_hosts,
            tag_href=lambda name: to_root + tag_page_path(name),
            article_href=lambda a: article_url(site_url, a.lang, a.date, a.id),
        )
        found = find_credit(body.blocks)
        if found:
            _, credit = found
            authors = credit.authors
            loader.add_value("editor", credit.editor)
            loader.add_value("source", credit.source)

    item = loader.load_item()
    # What the address tells, and what needs no cleaning, goes into the item as it is
    item.update(
        id=address.id,
        url=article_url(site_url, address.lang, address.date, address.id),
        lang=address.lang,
        date=address.date.isoformat(),
        path=path,
        published=parse_printed_beijing_time(
            _first_string(_in_each(_PRINTED_TIME, blocks["article_info"]))
        )
        or parse_jsonld_beijing_time(jsonld.get("datePublished")),
        authors=authors,
        tags=[{"name": t.name, "url": t.url} for t in body.tags],
        featured_image=_featured_image(blocks["featured_image"], response.url),
        images=[{"url": url, "path": None} for url in body.images],
        text=body.text or None,
        markdown=body.markdown or None,
    )
    for key in (*EXPORTED_FIELDS, "section_slug"):
        item.setdefault(key, None)
    return item
