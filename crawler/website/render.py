"""Markdown pages of the archive -> HTML pages of the site (pure functions).

markdown-it-py renders the Markdown with raw HTML off (whatever a page holds, it comes out as
text), its own link check (no `javascript:`, `vbscript:`, `file:` or `data:` links), links
between pages turned from `.md` to `.html` (a folder's `README.md` is its `index.html`), and
pictures shown only when they are the site's own files: a picture still at its address on the
news site becomes a link, so that no page makes a request that leaves the site."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

import yaml
from markdown_it import MarkdownIt

from crawler.archive.pages import SHARE_LINE
from crawler.archive.paths import relative_link, tag_page_path

SITE_NAME = "新唐人电视台 (NTD) 存档"
ASSETS = "_assets"
SEARCH_PAGE = "search.html"
# No inline or foreign script: only the site's own search script, which loads Pagefind's
# JavaScript and WebAssembly from the site ('wasm-unsafe-eval' lets WebAssembly compile; it
# allows no eval of JavaScript). Styles only from the site's style sheet, pictures only from
# the site, requests only to the site.
CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'; frame-src 'none'; worker-src 'self'"
)
LANGS = {"gb": "zh-CN", "b5": "zh-TW"}
_ALIGN_RE = re.compile(r"text-align:(left|right|center)")


def html_path(md_path: str) -> str:
    """The site's page for an archive page: README.md -> index.html, x.md -> x.html."""
    folder, _, name = md_path.rpartition("/")
    name = "index.html" if name == "README.md" else name[:-3] + ".html"
    return f"{folder}/{name}" if folder else name


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("/", "\\")))


def _site_link(url: str) -> str:
    """A relative link to an archive page (`…/README.md`, `x.md#part`) -> the site's page."""
    if not _is_local(url):
        return url
    path, hashmark, fragment = url.partition("#")
    path, qmark, query = path.partition("?")
    if path.endswith(".md"):
        folder, _, name = path.rpartition("/")
        name = "index.html" if name == "README.md" else name[:-3] + ".html"
        path = f"{folder}/{name}" if folder else name
    return path + qmark + query + hashmark + fragment


def _rewrite_links(state) -> None:
    for block in state.tokens:
        if block.type in ("th_open", "td_open"):
            style = block.attrGet("style")
            if style:  # alignment as a class: the policy allows no inline style
                block.attrs.pop("style", None)
                match = _ALIGN_RE.search(style)
                if match:
                    block.attrSet("class", f"align-{match.group(1)}")
        for token in block.children or ():
            if token.type == "link_open":
                href = token.attrGet("href") or ""
                token.attrSet("href", _site_link(href))
                if not _is_local(href):
                    token.attrSet("rel", "nofollow noopener noreferrer")


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    if _is_local(src):
        return f'<img src="{escape(src)}" alt="{escape(alt)}" loading="lazy" decoding="async">'
    text = escape(f"图片：{alt}" if alt else "图片")
    if urlsplit(src).scheme in ("http", "https"):
        rel = "nofollow noopener noreferrer"
        return f'<a class="remote-picture" href="{escape(src)}" rel="{rel}">{text}</a>'
    return f'<span class="remote-picture">{text}</span>'


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("site_links", _rewrite_links)
    md.add_render_rule("image", _render_image)
    return md


MARKDOWN = _markdown()
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_front_matter(text: str) -> tuple[dict, str]:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end != -1:
            try:
                meta = yaml.load(text[4 : end + 1], Loader=_Loader)
            except yaml.YAMLError:
                meta = None
            if isinstance(meta, dict):
                return meta, text[end + 5 :]
    return {}, text


def _root(path: str) -> str:
    return "../" * path.count("/")


def _first_heading(body: str) -> str:
    for line in body.splitlines():
        if line.startswith("# "):
            return re.sub(r"\\(.)", r"\1", line[2:]).strip()
    return SITE_NAME


_IGNORED = " data-pagefind-ignore"
# Runs of Chinese characters (the unified ideographs, extension A, compatibility ideographs)
_CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


def search_terms(title: str, tags: list[str]) -> str:
    """Every pair of neighbouring Chinese characters of the title and the tags, space-separated:
    Pagefind cuts a title into words by its context ("中国疫情再起" is not indexed under
    "疫情"), so a reader's query of a title's or a tag's words can miss the article. The site's
    search script also looks for the query's pairs (static/search.js), which match these
    whatever the words around them."""
    pairs = dict.fromkeys(
        run[i : i + 2]
        for text in (title, *tags)
        for run in _CJK_RUN_RE.findall(text)
        for i in range(len(run) - 1)
    )
    return " ".join(pairs)


def _unsearched(html: str) -> str:
    """An article's breadcrumbs (above its heading) and sharing note (PUBLIC_URL) left out of
    the search index: every article has them, so they would match and fill the excerpts."""
    heading = html.find("<h1>")
    if html.startswith("<p>") and heading > 0:
        html = f'<p class="crumbs"{_IGNORED}>' + html[3:]
    share = html.rfind(f"<p>{escape(SHARE_LINE, quote=False)}")
    if share != -1:
        html = f"{html[:share]}<p{_IGNORED}>{html[share + 3 :]}"
    return html


def page(path: str, text: str, *, after_intro: str = "", lang: str = "zh-CN") -> tuple[str, dict]:
    """(HTML, front matter) of the archive page at `path` (relative to the archive) whose
    Markdown is `text`. `after_intro`: HTML put after the page's first paragraph after its
    heading (the home page's calendar)."""
    meta, body = split_front_matter(text)
    is_article = bool(meta.get("id") and meta.get("title"))
    title = str(meta["title"]) if is_article else _first_heading(body)
    html = MARKDOWN.render(body)
    if after_intro:
        heading = html.find("</h1>")
        intro = html.find("</p>", heading if heading != -1 else 0)
        at = intro + 4 if intro != -1 else len(html)
        html = html[:at] + "\n" + after_intro + html[at:]
    main_attrs = ""
    if is_article:
        lang = LANGS.get(str(meta.get("lang")), lang)
        tags = [str(t) for t in meta.get("tags") or []]
        if tags:
            links = " ".join(
                f'<a href="{escape(_site_link(relative_link(path, tag_page_path(t))))}">'
                f"{escape(t)}</a>"
                for t in tags
            )
            source = html.rfind("<p>Source:")
            block = f'<p class="tags">标签：{links}</p>\n'
            html = html[:source] + block + html[source:] if source != -1 else html + block
        html = _unsearched(html)
        terms = search_terms(title, tags)
        if terms:
            html += f'<p class="search-terms" hidden>{escape(terms)}</p>\n'
        # Only articles are searched: Pagefind indexes the pages that carry data-pagefind-body
        main_attrs = ' class="article" data-pagefind-body'
    root = _root(path)
    return (
        _TEMPLATE.format(
            lang=lang,
            csp=CSP,
            title=escape(title if title == SITE_NAME else f"{title} · {SITE_NAME}"),
            root=root,
            assets=f"{root}{ASSETS}",
            site=escape(SITE_NAME),
            main_attrs=main_attrs,
            body=html,
        ),
        meta,
    )


def search_page() -> str:
    body = (
        "<h1>搜索</h1>\n<p>在上面的搜索框输入词语（标题、正文、标签），结果显示在这里。"
        "搜索需要 JavaScript，并且须通过网站服务器打开本站（不是直接打开文件）。</p>\n"
    )
    return _TEMPLATE.format(
        lang="zh-CN",
        csp=CSP,
        title=escape(f"搜索 · {SITE_NAME}"),
        root="",
        assets=ASSETS,
        site=escape(SITE_NAME),
        main_attrs="",
        body=body,
    )


_TEMPLATE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/style.css">
<link rel="icon" href="{assets}/favicon.svg" type="image/svg+xml">
<script src="{assets}/search.js" defer></script>
</head>
<body>
<header class="bar">
<a class="home" href="{root}index.html">{site}</a>
<form class="search" role="search" action="{root}search.html">
<input type="search" name="q" placeholder="搜索标题、正文、标签" aria-label="搜索" autocomplete="off">
<button type="submit">搜索</button>
</form>
</header>
<section class="results" id="search-results" aria-live="polite" hidden></section>
<main{main_attrs}>
{body}</main>
<footer class="bar-bottom"><a href="{root}index.html">首页</a> · <a href="{root}sections/index.html">栏目</a> · <a href="{root}tags/index.html">标签</a></footer>
</body>
</html>
"""
