"""Hostile and broken input, served by the replica on one day (HOSTILE_DAY) when the
'hostile' fault is on: every case of the issue "Hostile and broken input", each with the
outcome the crawler must reach. The tests read EXPECTED_OUTCOMES; the server calls serve()."""

from __future__ import annotations

import io
import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from PIL import Image

HOSTILE_DAY_ISO = "2021-07-01"
GOOD_BODY = '<p>第一段正文。</p><p>第二段正文，含<a href="/gb/正常标签.htm">正常标签</a>。</p><p>（记者甲乙报导/责任编辑：丙丁）</p>'
NFC_E = unicodedata.normalize("NFC", "café")
NFD_E = unicodedata.normalize("NFD", "café")
HOSTILE_TAGS = [
    "../../etc/passwd",
    "a/b",
    "a\\b",
    "CON",
    ".hidden",
    NFC_E,
    NFD_E,
    "ＡＢＣ",
    "ABC",
    "x" * 300,
    "README",
]
HOSTILE_TITLE = "---\n# 标题: [链接](javascript:alert(1)) | *粗* <script>alert(1)</script>"


def _tag_links(names: list[str]) -> str:
    # As the site does: the tag's name percent-encoded in one path segment
    return "".join(f'<a href="/gb/{quote(name, safe="")}.htm">{_esc(name)}</a>，' for name in names)


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


HOSTILE_CONTENT_BODY = (
    "<p onclick=\"alert(1)\" onmouseover='x()'>开头<script>alert('x')</script>文字</p>"
    '<style>body{display:none}</style><!-- 注释 --><p>链接<a href="javascript:alert(1)">点我</a>'
    '<a href="data:text/html;base64,PHNjcmlwdD4=">数据</a><a href="vbscript:x">vb</a></p>'
    '<iframe src="javascript:alert(1)"></iframe><iframe src="https://www.youtube.com/embed/x1"></iframe>'
    "<table><tr><th>a|b</th><th>c</th></tr><tr><td>1 | 2</td><td>---</td></tr></table>"
    "<p>---</p><p># 不是标题</p><p>&lt;script&gt;alert(2)&lt;/script&gt;</p>"
    '<p><img src="x" onerror="alert(1)"><img src="javascript:alert(1)"></p>'
    "<p>（责任编辑：戊）</p>"
)


@dataclass(frozen=True)
class Case:
    name: str
    outcome: str  # "archived", "dropped" (a reason in the log) or "failed" (fetch refused)
    source: dict = field(default_factory=dict)  # overrides of the article's source fields
    reply: str = ""  # how the server misbehaves, see serve()


def _image(name: str) -> dict:
    return {
        "src": f"https://i.ntdtv.com/assets/uploads/2021/07/{name}",
        "full": None,
        "alt": "配图",
        "caption": "图片说明 | 含*符号*\n第二行",
    }


CASES = [
    Case("good", "archived", {"featured_image": _image("good-800x450.jpg")}),
    Case("truncated_html", "archived", reply="truncated"),
    Case("no_title", "dropped", reply="no_title"),
    Case("no_body", "dropped", reply="no_body"),
    Case("empty_body", "dropped", {"body_html": "<p> </p><script>x()</script>"}),
    Case("no_time", "archived", reply="no_time"),
    Case("bad_time", "archived", reply="bad_time"),
    Case("no_featured", "archived", {"featured_image": None}),
    Case("huge_page", "failed", reply="huge"),
    Case("gbk_header", "archived", {"title": "中文标题：国家统计局"}, reply="gbk"),
    Case(
        "big5_meta",
        "archived",
        {"title": "繁體標題：美國國會", "body_html": "<p>繁體中文內容。</p>"},
        reply="big5",
    ),
    Case("broken_encoding", "archived", reply="broken_utf8"),
    Case("redirect_offsite", "failed", reply="redirect_offsite"),
    Case("redirect_loop", "failed", reply="redirect_loop"),
    Case(
        "hostile_names",
        "archived",
        {
            "body_html": f"<p>标签：{_tag_links(HOSTILE_TAGS)}完。</p>",
            "featured_image": _image("..%2F..%2F..%2Fevil-800x450.jpg"),
        },
        reply="hostile_section",
    ),
    Case(
        "hostile_content",
        "archived",
        {
            "title": HOSTILE_TITLE,
            "body_html": HOSTILE_CONTENT_BODY,
            "featured_image": _image("con.jpg"),
        },
    ),
    Case("image_bomb", "archived", {"featured_image": _image("bomb-800x450.png")}),
    Case("image_enormous", "archived", {"featured_image": _image("enormous-800x450.jpg")}),
    Case("image_redirect", "archived", {"featured_image": _image("moved-800x450.jpg")}),
    Case("image_stall", "archived", {"featured_image": _image("stall-800x450.jpg")}),
    Case("status_500", "failed", reply="status500"),
    Case("connection_reset", "failed", reply="reset"),
    Case("stall_mid_body", "failed", reply="stall_body"),
    Case("robots_disallowed", "failed"),
    Case("good_last", "archived"),
]
# Images that the crawler must refuse, or store (image_redirect follows the redirect)
IMAGE_OUTCOMES = {
    "good-800x450.jpg": "stored",
    "..%2F..%2F..%2Fevil-800x450.jpg": "stored",
    "con.jpg": "stored",
    "bomb-800x450.png": "refused",
    "enormous-800x450.jpg": "refused",
    "moved-800x450.jpg": "stored",
    "stall-800x450.jpg": "refused",
}
ENORMOUS_BYTES = 3 * 1024 * 1024
STALL_SECONDS = 20
HUGE_PAGE_BYTES = 6 * 1024 * 1024


# Listing links whose "id" would become a path: none of them is an article address
HOSTILE_LISTING_HREFS = [
    "/gb/2021/07/01/a123%2F..%2F..%2Fx.html",
    "/gb/2021/07/01/../../../etc/passwd",
    "javascript:alert(1)",
    "/gb/2021/07/01/aCON.html",
    "/gb/2021/07/01/.a1.html",
    "data:text/html,<script>alert(1)</script>",
]


def robots_lines(article_ids: dict[str, str]) -> str:
    return f"Disallow: /gb/2021/07/01/{article_ids['robots_disallowed']}.html\n"


def transform_page(case: Case, html: str) -> str:
    if case.reply == "truncated":
        cut = html.index("第二段正文")
        return html[:cut]
    if case.reply == "no_title":
        html = re.sub(r'<div class="article_title">.*?</div>', "", html, flags=re.S)
        html = re.sub(r'<meta property="og:title"[^>]*>', "", html)
        return re.sub(r"<title>.*?</title>", "", html, flags=re.S)
    if case.reply == "no_body":
        return re.sub(
            r'<div class="post_content".*?<div class="post_tags">',
            '<div class="post_tags">',
            html,
            flags=re.S,
        )
    if case.reply == "no_time":
        return re.sub(r'<span class="time">[^<]*</span>', "", html)
    if case.reply == "bad_time":
        html = re.sub(
            r'<span class="time">[^<]*</span>', '<span class="time">北京时间：不详</span>', html
        )
        return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    if case.reply == "hostile_section":
        return re.sub(
            r'(<div class="breadcrumbs">.*?» )<a href="[^"]*">[^<]*</a>',
            r'\1<a href="/gb/prog999">../../外部/栏目</a>',
            html,
            flags=re.S,
        )
    if case.reply == "huge":
        padding = "<p>" + "填充" * 1000 + "</p>"
        return html.replace(
            "</body>", padding * (HUGE_PAGE_BYTES // len(padding.encode()) + 1) + "</body>"
        )
    return html


def encode_page(case: Case, html: str) -> tuple[bytes, str]:
    """(body, Content-Type) of the page."""
    if case.reply == "gbk":
        html = html.replace('charset="UTF-8"', 'charset="gbk"')
        return html.encode("gbk", errors="xmlcharrefreplace"), "text/html; charset=GBK"
    if case.reply == "big5":
        html = html.replace('<meta charset="UTF-8">', '<meta charset="big5">')
        return html.encode("big5", errors="xmlcharrefreplace"), "text/html"
    if case.reply == "broken_utf8":
        data = html.encode("utf-8").replace(
            "第一段正文".encode(), "第一段".encode() + b"\xff\xfe\xc3" + "正文".encode()
        )
        return data, "text/html; charset=UTF-8"
    return html.encode("utf-8"), "text/html; charset=UTF-8"


@lru_cache(maxsize=1)
def bomb_png() -> bytes:
    """144 million pixels in a few kilobytes."""
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")
    return buf.getvalue()


def enormous_jpeg(good: bytes) -> bytes:
    return good + os.urandom(ENORMOUS_BYTES)


def stall(seconds: float = STALL_SECONDS) -> None:
    time.sleep(seconds)
