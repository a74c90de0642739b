"""HTML of the replica's pages, shaped like the source site's (docs/site.md): the whole page around
the content, with the header, menus, share bar, related stories, sidebar, footer and scripts
that the crawler has to ignore."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import escape

from tests.site.hostile import HOSTILE_LISTING_HREFS
from tests.site.model import (
    HOSTILE_DAY,
    PER_PAGE,
    SECTIONS,
    ReplicaArticle,
    SiteModel,
    stable_hash,
)

SITE_NAME = "新唐人电视台"
IMAGE_HOST_RE = re.compile(r"https?://i\.ntdtv\.com")


def _head(title: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} | {SITE_NAME}</title>
<link rel="stylesheet" href="/wp-content/themes/ntd/style.css">
<style>.one_post{{margin:0 0 12px}} .single_ad{{min-height:250px}}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
{extra}
</head>
"""


def _header(lang: str) -> str:
    menu = "".join(
        f'<li><a href="/{lang}/{slug}">{escape(name)}</a></li>' for slug, name in SECTIONS.items()
    )
    return f"""<body class="single">
<div id="header">
  <div class="logo"><a href="/{lang}/"><img src="/wp-content/themes/ntd/logo.png" alt="{SITE_NAME}"></a></div>
  <ul class="menu"><li><a href="/{lang}/">首页</a></li>{menu}<li><a href="/gb/2021/01/01/a100000001.html">热门</a></li></ul>
  <form class="search" action="/{lang}/search/"><input name="s" placeholder="搜索"><button>搜索</button></form>
</div>
"""


def _sidebar(lang: str, links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in links)
    return f"""<div id="sidebar">
  <div class="widget"><h3>热门新闻</h3><ul>{items}</ul></div>
  <div class="single_ad"><script>googletag.cmd.push(function(){{googletag.display('ad-side');}});</script></div>
</div>
"""


_FOOTER = """<div id="footer"><p>© 2021 新唐人电视台 版权所有</p>
<ul><li><a href="/gb/about.html">关于我们</a></li><li><a href="/gb/contact.html">联系我们</a></li></ul></div>
<script src="/wp-content/themes/ntd/main.js"></script>
<script>(function(){var s=document.createElement('script');s.src='/ads.js';document.body.appendChild(s);})();</script>
</body>
</html>
"""


def image_url(image_base: str, url: str | None) -> str | None:
    """The corpus addresses images on i.ntdtv.com; the replica serves them from its image host."""
    return IMAGE_HOST_RE.sub(image_base, url) if url else None


def _story_href(site_base: str, article: ReplicaArticle, form: int) -> str:
    """Archive pages link stories in several forms: absolute, root-relative, percent-encoded."""
    path = article.path
    if form == 0:
        return site_base + path
    if form == 1:
        return path
    return f"/%{ord(path[1]):02X}{path[2:]}"


def _story(site_base: str, image_base: str, article: ReplicaArticle, form: int) -> str:
    image = article.source.get("featured_image")
    thumb = image_url(image_base, image["src"]) if image else ""
    excerpt = re.sub(r"<[^>]+>", "", article.body_html)[:60]
    return f"""<div class="one_post">
  <div class="thumb"><a href="{escape(_story_href(site_base, article, form))}"><img src="{escape(thumb or "")}" alt=""></a></div>
  <div class="title"><a href="{escape(_story_href(site_base, article, form))}">{escape(article.title)}</a></div>
  <div class="excerpt">{escape(excerpt)}</div>
  <div class="date">{article.beijing_time:%Y-%m-%d %H:%M}</div>
</div>
"""


def archive_page(
    model: SiteModel, site_base: str, image_base: str, lang: str, day: dt.date, page: int
) -> str | None:
    """A daily archive page; None when the page does not exist (404)."""
    stories = model.articles_on(lang, day)
    pages = max(1, -(-len(stories) // PER_PAGE))
    if not stories or page > pages:
        return None
    listed = stories[(page - 1) * PER_PAGE : page * PER_PAGE]
    if "dup" in model.faults and page > 1:
        # The listing shifted while it was read: the last story of the previous page again
        listed = [stories[(page - 1) * PER_PAGE - 1], *listed]
    body = "".join(_story(site_base, image_base, a, stable_hash(a.id, "form") % 3) for a in listed)
    if "hostile" in model.faults and day == HOSTILE_DAY and page == 1:
        body += "".join(
            f'<div class="one_post"><div class="title"><a href="{escape(href)}">坏链接</a></div></div>\n'
            for href in HOSTILE_LISTING_HREFS
        )
    others = model.other_day_stories(lang, day)
    sticky = "".join(_story(site_base, image_base, a, 1) for a in others[:2])
    base = f"/{lang}/{day:%Y/%m/%d}/"
    nav = []
    if page > 1:
        prev = base if page == 2 else f"{base}page/{page - 1}/"
        nav.append(f'<a class="prev page-numbers" href="{prev}">上一页</a>')
    for n in range(1, pages + 1):
        href = base if n == 1 else f"{base}page/{n}/"
        if n == page:
            nav.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            nav.append(f'<a class="page-numbers" href="{href}">{n}</a>')
    if page < pages:
        nav.append(f'<a class="next page-numbers" href="{base}page/{page + 1}/">下一页</a>')
    elif "hostile" in model.faults and day == HOSTILE_DAY:
        # Pagination that loops back to the first page
        nav.append(f'<a class="next page-numbers" href="{base}">下一页</a>')
    sidebar_links = [(a.path, a.title) for a in others[2:]]
    return (
        _head(f"{day:%Y-%m-%d} 新闻")
        + _header(lang)
        + f"""<div id="main">
<div class="sticky_posts featured">{sticky}</div>
<h1 class="archive_title">{day:%Y年%m月%d日}</h1>
<div class="archive_list">
{body}</div>
<div class="pagination">{"".join(nav)}</div>
</div>
"""
        + _sidebar(lang, sidebar_links)
        + _FOOTER
    )


def _featured_block(image_base: str, article: ReplicaArticle) -> str:
    image = article.source.get("featured_image")
    if not image:
        return ""
    src = image_url(image_base, image["src"])
    full = image_url(image_base, image.get("full")) or src
    figure = (
        f'<figure><img src="{escape(src)}" alt="{escape(image.get("alt") or "")}" '
        f'width="800" height="450"></figure>'
    )
    # The <figure> comes wrapped in <a href=full>, <span href=full> or nothing
    wrapper = stable_hash(article.id, "wrapper") % 3
    if wrapper == 0:
        figure = f'<a href="{escape(full)}" target="_blank">{figure}</a>'
    elif wrapper == 1:
        figure = f'<span href="{escape(full)}">{figure}</span>'
    caption = image.get("caption")
    caption_html = f'<span class="caption">{escape(caption)}</span>' if caption else ""
    return f'<div class="featured_image">{figure}{caption_html}</div>'


def _related(model: SiteModel, site_base: str, article: ReplicaArticle) -> str:
    links = [
        f'<a href="{site_base}{other.path}">{escape(other.title)}</a>'
        for other in model.related_links(article)
    ]
    return f"<p>相关新闻：{'、'.join(links)}</p>" if links else ""


def article_page(model: SiteModel, site_base: str, image_base: str, article: ReplicaArticle) -> str:
    published = article.beijing_time.replace(tzinfo=None)
    modified = published + dt.timedelta(minutes=7 + stable_hash(article.id) % 50)
    modified += dt.timedelta(hours=article.revision)
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        # The site prints Beijing wall-clock time with a wrong "Z" (docs/site.md)
        "datePublished": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "dateModified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "author": {"@type": "Organization", "name": SITE_NAME},
    }
    image = article.source.get("featured_image")
    og_image = image_url(image_base, image["src"]) if image else ""
    extra = f"""<meta property="og:title" content="{escape(article.title)}">
<meta property="og:image" content="{escape(og_image or "")}">
<meta property="article:section" content="{escape(article.section_name)}">
<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>"""
    related = model.articles_on(article.lang, article.date)[:4]
    related_html = "".join(
        f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in related if a.id != article.id
    )
    lang = article.lang
    return (
        _head(article.title, extra)
        + _header(lang)
        + f"""<div id="main">
<div class="breadcrumbs"><a href="/{lang}/">首页</a> » <a href="/{lang}/{article.section_slug}">{escape(article.section_name)}</a></div>
<div class="article_title"><h1>{escape(article.title)}</h1></div>
<div class="article_info">
  <span class="author">新唐人</span>
  <span class="time">北京时间：{published:%Y-%m-%d %H:%M}</span>
  <span class="views">人气：{stable_hash(article.id, "views") % 9000 + 100}</span>
</div>
<div class="article_share"><a href="https://www.facebook.com/sharer.php?u={article.path}">Facebook</a> <a href="javascript:window.print()">打印</a></div>
{_featured_block(image_base, article)}
<div class="post_content" itemprop="articleBody">{image_url(image_base, article.body_html)}{_related(model, site_base, article)}<div class="single_ad"><div id="ad-inarticle"><script>googletag.cmd.push(function(){{googletag.display('ad-inarticle');}});</script></div></div></div>
<div class="post_tags">标签：<a href="/{lang}/{article.section_slug}">{escape(article.section_name)}</a></div>
<div class="related_posts"><h2>相关新闻</h2><ul>{related_html}</ul></div>
<div id="comments"><h3>评论</h3><p>暂无评论</p></div>
</div>
"""
        + _sidebar(lang, [(a.path, a.title) for a in related[:3]])
        + _FOOTER
    )


def listing_page(model: SiteModel, lang: str, title: str, articles: list[ReplicaArticle]) -> str:
    items = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in articles[:50])
    return (
        _head(title)
        + _header(lang)
        + f'<div id="main"><h1>{escape(title)}</h1><ul>{items}</ul></div>'
        + _FOOTER
    )


ROBOTS_TXT = """User-agent: *
Disallow: /wp-admin/
Disallow: /gb/search/
Disallow: /b5/search/
Disallow: /_replica/
"""
