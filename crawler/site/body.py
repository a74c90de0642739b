"""An article body (an lxml element) to Markdown, plain text and inline tag links, in one walk.

Only what a reader sees survives: scripts, styles, ads, forms, comments and event attributes
are dropped; links and images are kept only when they are absolute http(s) addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from crawler.site.urls import (
    TAG_PATH_RE,
    ArticleAddress,
    absolute_url,
    is_site_host,
    parse_article_url,
    readable_url,
)

DROPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
        "head",
        "meta",
        "link",
        "title",
        "base",
    ]
)
# Ads and widgets that the site puts inside div.post_content
DROPPED_CLASSES = frozenset({"single_ad", "related_posts", "share_box", "social-share"})
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "aside",
        "header",
        "footer",
        "center",
        "address",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "pre",
        "hr",
        "iframe",
    ]
)
HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

_SPACES = " \t\r\n\f\v\xa0"  # collapsed to one space; others (U+3000 …) are text
_SPACES_RE = re.compile(f"[{_SPACES}]+")
_ESCAPE_RE = re.compile(r"([\\`*_\[\]>|~])")
_ENTITY_RE = re.compile(r"&(?=#?\w+;)")
_SPECIAL_RE = re.compile(r"[\\`*_\[\]>|~<&]")
_LINE_START_RE = re.compile(r"^(\s*)([#>+=-])", re.MULTILINE)
_ORDERED_START_RE = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
# Where either of those could match: at the start, or after a newline (a search that looks for
# the newline first, instead of trying "^" at every character)
_FIRST_LINE_MARKER_RE = re.compile(r"\s*[#>+=\-\d]")
_NEXT_LINE_MARKER_RE = re.compile(r"\n\s*[#>+=\-\d]")


@dataclass
class Tag:
    name: str
    url: str


@dataclass
class Body:
    markdown: str
    text: str
    blocks: list[str] = field(default_factory=list)  # plain text of each block, in order
    tags: list[Tag] = field(default_factory=list)
    # Addresses of the pictures in the body, in order, each once; the Markdown links to them
    # as link_target(url) until the archive has them
    images: list[str] = field(default_factory=list)
    # Canonical addresses of the site's articles the body links to, in order, each once
    linked_articles: list[str] = field(default_factory=list)


def escape_markdown(text: str) -> str:
    if not _SPECIAL_RE.search(text):  # most of a Chinese article: nothing to escape
        return text
    # "<" as an entity, so that no text can open an HTML tag, even to a naive reader
    text = _ENTITY_RE.sub("&amp;", text).replace("<", "&lt;")
    return _ESCAPE_RE.sub(r"\\\1", text)


def _escape_line_starts(markdown: str) -> str:
    # A paragraph that starts with "# ", "- ", "1." … would turn into a heading or a list
    if not (_FIRST_LINE_MARKER_RE.match(markdown) or _NEXT_LINE_MARKER_RE.search(markdown)):
        return markdown
    markdown = _LINE_START_RE.sub(r"\1\\\2", markdown)
    return _ORDERED_START_RE.sub(r"\1\\\2", markdown)


def _is_dropped(el: etree._Element) -> bool:
    if not isinstance(el.tag, str):  # comments, processing instructions, entities
        return True
    return el.tag.lower() in DROPPED_TAGS or _has_dropped_class(el)


def _has_dropped_class(el: etree._Element) -> bool:
    classes = el.get("class")
    return bool(classes and DROPPED_CLASSES.intersection(classes.split()))


def _http_url(base_url: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    url = absolute_url(base_url, href)
    return url if url.startswith(("http://", "https://")) else None


def link_target(url: str) -> str:
    # Parentheses and spaces would end a Markdown link destination early
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


class _Inline:
    """Markdown and plain text of a run of inline content."""

    __slots__ = ("md", "text", "blank")

    def __init__(self) -> None:
        self.md: list[str] = []
        self.text: list[str] = []
        # Only white space so far (most runs between blocks are the markup's line breaks)
        self.blank = True

    def add(self, md: str, text: str) -> None:
        self.md.append(md)
        self.text.append(text)
        self.blank = False

    def add_space(self) -> None:
        self.md.append(" ")
        self.text.append(" ")

    def result(self) -> tuple[str, str]:
        return "".join(self.md), "".join(self.text)


class BodyConverter:
    def __init__(
        self,
        base_url: str,
        site_hosts: frozenset[str],
        tag_href: Callable[[str], str],
        article_href: Callable[[ArticleAddress], str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.site_hosts = site_hosts
        self.tag_href = tag_href
        self.article_href = article_href
        self.linked_articles: dict[str, None] = {}
        self.tags: list[Tag] = []
        self.images: dict[str, None] = {}
        self._tag_names: set[str] = set()
        self._tag_urls: set[str] = set()

    # -- blocks --------------------------------------------------------------------------

    def convert(self, root: etree._Element) -> Body:
        pairs = self._blocks(root)
        markdown = "\n\n".join(md for md, _ in pairs)
        texts = [text for _, text in pairs if text]
        return Body(
            markdown=markdown,
            text="\n\n".join(texts),
            blocks=texts,
            tags=self.tags,
            images=list(self.images),
            linked_articles=list(self.linked_articles),
        )

    def _blocks(self, el: etree._Element) -> list[tuple[str, str]]:
        """(markdown, text) of each block inside el, with loose inline content as paragraphs."""
        out: list[tuple[str, str]] = []
        run = _Inline()

        def flush() -> None:
            nonlocal run
            if run.blank:
                if run.md:
                    run = _Inline()
                return
            md, text = run.result()
            run = _Inline()
            if md.strip() and (block := _paragraph(md, text)):
                out.append(block)

        if el.text:
            self._text(run, el.text)
        for child in el:
            tag = child.tag
            # Comments, processing instructions and entities have no name: dropped
            if isinstance(tag, str):
                tag = tag.lower()
                if tag not in DROPPED_TAGS and not _has_dropped_class(child):
                    if tag in BLOCK_TAGS:
                        flush()
                        out.extend(self._block(child, tag))
                    else:
                        self._inline(run, child, tag)
            if child.tail:
                self._text(run, child.tail)
        flush()
        return out

    def _block(self, el: etree._Element, tag: str) -> list[tuple[str, str]]:
        if tag in HEADINGS:
            md, text = self._inline_of(el)
            return [("#" * HEADINGS[tag] + " " + md, text)] if md else []
        if tag in ("ul", "ol"):
            block = self._list(el, ordered=tag == "ol")
            return [block] if block[0] else []
        if tag == "blockquote":
            inner = self._blocks(el)
            if not inner:
                return []
            md = "\n>\n".join(_prefix_lines(b, "> ") for b, _ in inner)
            return [(md, "\n\n".join(t for _, t in inner if t))]
        if tag == "figure":
            return self._figure(el)
        if tag == "table":
            block = self._table(el)
            return [block] if block else []
        if tag == "pre":
            code = "".join(el.itertext()).strip("\n")
            if not code.strip():
                return []
            fence = "~~~~" if "```" in code else "```"
            return [(f"{fence}\n{code}\n{fence}", code)]
        if tag == "hr":
            return [("* * *", "")]
        if tag == "iframe":
            url = _http_url(self.base_url, el.get("src"))
            return [(f"[▶ {escape_markdown(url)}]({link_target(url)})", "")] if url else []
        return self._blocks(el) if len(el) else _text_block(el.text)

    def _list(self, el: etree._Element, ordered: bool) -> tuple[str, str]:
        items_md: list[str] = []
        items_text: list[str] = []
        number = int(el.get("start", "1")) if (el.get("start") or "").isdigit() else 1
        for li in el:
            if _is_dropped(li) or li.tag.lower() != "li":
                continue
            inner = self._blocks(li)
            if not inner:
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            body = "\n".join(md for md, _ in inner)
            items_md.append(marker + _prefix_lines(body, " " * len(marker))[len(marker) :])
            items_text.append("\n".join(t for _, t in inner if t))
        return "\n".join(items_md), "\n".join(items_text)

    def _figure(self, el: etree._Element) -> list[tuple[str, str]]:
        images: list[str] = []
        captions: list[tuple[str, str]] = []
        for node in el.iter():
            if not isinstance(node.tag, str) or _is_dropped(node):
                continue
            tag = node.tag.lower()
            if tag == "img":
                image = self._image(node)
                if image:
                    images.append(image)
            elif tag == "figcaption":
                md, text = self._inline_of(node)
                if md:
                    captions.append((md, text))
        if not images and not captions:
            return []
        # The caption in a paragraph of its own: on the image's line it runs beside a small
        # picture, or stands alone where the picture is missing
        parts = ["\n".join(images)] if images else []
        parts += [f"*{md}*" for md, _ in captions]
        return [("\n\n".join(parts), "\n".join(t for _, t in captions))]

    def _table(self, el: etree._Element) -> tuple[str, str] | None:
        rows: list[list[tuple[str, str]]] = []
        for tr in el.iter("tr"):
            cells = []
            for cell in tr:
                if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th"):
                    md, text = self._inline_of(cell, in_table=True)
                    cells.append((md, text))
            if cells:
                rows.append(cells)
        if not rows:
            return None
        width = max(len(r) for r in rows)
        rows = [r + [("", "")] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(md for md, _ in rows[0]) + " |"]
        lines.append("|" + "---|" * width)
        lines += ["| " + " | ".join(md for md, _ in r) + " |" for r in rows[1:]]
        text = "\n".join(" | ".join(t for _, t in r if t) for r in rows)
        return "\n".join(lines), text

    # -- inline --------------------------------------------------------------------------

    def _inline_of(self, el: etree._Element, in_table: bool = False) -> tuple[str, str]:
        if len(el):
            run = _Inline()
            if el.text:
                self._text(run, el.text)
            for child in el:
                if not _is_dropped(child):
                    self._inline(run, child, child.tag.lower())
                if child.tail:
                    self._text(run, child.tail)
            md, text = run.result()
        else:  # only text: most links and emphasis
            md, text = _escaped_text(el.text or "")
        if in_table:
            md = md.replace("\\\n", " ")
            text = text.replace("\n", " ")
        return _clean_inline(md), _clean_text(text)

    def _text(self, run: _Inline, raw: str) -> None:
        if not raw.strip(_SPACES):  # the markup's line breaks between tags
            run.add_space()
            return
        run.add(*_escaped_text(raw))

    def _inline(self, run: _Inline, el: etree._Element, tag: str) -> None:
        if tag == "br":
            run.add("\\\n", "\n")
            return
        if tag == "img":
            image = self._image(el)
            if image:
                run.add(image, "")
            return
        if tag in BLOCK_TAGS:
            # A block inside inline markup (<a><figure>…): keep its content inline
            for md, text in self._blocks(el):
                run.add(md, text)
            return
        md, text = self._inline_of(el)
        if tag == "a":
            md = self._link(el, md, text)
        elif md.strip() and tag in ("strong", "b"):
            md = _wrap(md, "**")
        elif md.strip() and tag in ("em", "i"):
            md = _wrap(md, "*")
        elif md.strip() and tag in ("del", "s", "strike"):
            md = _wrap(md, "~~")
        elif md.strip() and tag == "code":
            md = _wrap(text.replace("`", "'"), "`")
        run.add(md, text)

    def _link(self, el: etree._Element, md: str, text: str) -> str:
        url = _http_url(self.base_url, el.get("href"))
        if not url or not md.strip():
            return md
        tag_href = self._tag(url, text.strip())
        if tag_href:
            return f"[{md}]({tag_href})"
        if "![" in md:  # an image linking to its full size
            return f"[{md}]({link_target(url)})"
        address = parse_article_url(url) if is_site_host(url, self.site_hosts) else None
        if address is not None and self.article_href is not None:
            # Another article of the site, in the one form the archive makes local when it
            # has that article (crawler/archive/records.py)
            url = self.article_href(address)
            self.linked_articles[url] = None
        return f"[{md}]({link_target(url)})"

    def _tag(self, url: str, name: str) -> str | None:
        """Local tag page of an inline tag link, recording the tag; None for other links."""
        if not name or not is_site_host(url, self.site_hosts):
            return None
        # Matched before decoding: a tag named "a/b" is addressed as /gb/a%2Fb.htm
        if not TAG_PATH_RE.match(urlsplit(url).path):
            return None
        url = readable_url(url)
        if name not in self._tag_names and url not in self._tag_urls:
            self._tag_names.add(name)
            self._tag_urls.add(url)
            self.tags.append(Tag(name=name, url=url))
        return self.tag_href(name)

    def _image(self, el: etree._Element) -> str | None:
        src = _http_url(self.base_url, el.get("src") or el.get("data-src"))
        if not src:
            return None
        alt = escape_markdown(_SPACES_RE.sub(" ", el.get("alt") or "").strip())
        self.images[src] = None
        return f"![{alt}]({link_target(src)})"


def _escaped_text(raw: str) -> tuple[str, str]:
    """A text node's Markdown (escaped) and plain text, each run of white space one space."""
    text = _SPACES_RE.sub(" ", raw)
    return escape_markdown(text), text


def _paragraph(md: str, text: str) -> tuple[str, str] | None:
    """A run of inline content (its Markdown and plain text) as a block; None if it shows
    nothing."""
    md = _clean_inline(md)
    return (_escape_line_starts(md), _clean_text(text)) if md else None


def _text_block(raw: str | None) -> list[tuple[str, str]]:
    """What BodyConverter._blocks makes of a block holding only text (most paragraphs)."""
    if not raw or not raw.strip(_SPACES):
        return []
    block = _paragraph(*_escaped_text(raw))
    return [block] if block else []


def _wrap(md: str, mark: str) -> str:
    # "** x **" does not render as bold: keep the spaces outside the markers
    stripped = md.strip()
    lead = md[: len(md) - len(md.lstrip())]
    trail = md[len(md.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _clean_inline(md: str) -> str:
    lines = [line.strip() for line in md.split("\n")]
    while lines and lines[-1] in ("", "\\"):
        lines.pop()
    while lines and lines[0] in ("", "\\"):
        lines.pop(0)
    md = "\n".join(lines)
    return md[:-1].rstrip() if md.endswith("\\") else md


def _clean_text(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().split("\n") if line.strip())


def _prefix_lines(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.split("\n"))


def convert_body(
    root: etree._Element,
    base_url: str,
    site_hosts: frozenset[str],
    tag_href: Callable[[str], str],
    article_href: Callable[[ArticleAddress], str] | None = None,
) -> Body:
    return BodyConverter(base_url, site_hosts, tag_href, article_href).convert(root)
