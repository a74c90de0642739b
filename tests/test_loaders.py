"""Extraction from whole article pages: every corpus article (real bodies) and the synthetic
shapes, rendered in the site's page layout; expected values come from the corpus files."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from scrapy.http import HtmlResponse

from crawler.site.loaders import load_article
from crawler.site.urls import parse_article_url
from tests.site.model import ReplicaArticle, SiteModel, load_sources
from tests.site.render import article_page

SITE = "http://127.0.0.1:8000"
IMAGES = "http://localhost:8000"
MODEL = SiteModel(dt.date(2021, 6, 20), 1, 1)


def _page(source: dict, **overrides) -> tuple[ReplicaArticle, HtmlResponse]:
    day = dt.date.fromisoformat(source["date"])
    article = ReplicaArticle(source["id"], "gb", day, 3, source)
    html = article_page(MODEL, SITE, IMAGES, article)
    for old, new in overrides.items():
        html = html.replace(old, new)
    url = f"{SITE}{article.path}"
    return article, HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")


def _load(response: HtmlResponse):
    return load_article(response, parse_article_url(response.url), SITE, frozenset({"127.0.0.1"}))


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


SOURCES = load_sources()


@pytest.mark.parametrize("source", SOURCES, ids=[s["id"] for s in SOURCES])
def test_article_fields(source):
    article, response = _page(source)
    item = _load(response)
    assert item["id"] == source["id"]
    assert item["title"] == " ".join(source["title"].split())
    assert item["published"] == article.beijing_time.isoformat()
    assert [t["name"] for t in item["tags"]] == [t["name"] for t in source["tags"]]
    assert _no_space(item["text"]) == _no_space(source["body_text"])
    assert "<script" not in item["markdown"] and "googletag" not in item["markdown"]
    assert "相关新闻" not in item["text"] and "热门新闻" not in item["text"]
    image = source["featured_image"]
    if image is None:
        assert item["featured_image"] is None
    else:
        assert item["featured_image"]["url"] == image["src"].replace("https://i.ntdtv.com", IMAGES)
        assert item["featured_image"]["alt"] == (" ".join((image["alt"] or "").split()) or None)


def test_real_article_golden():
    """a102657816 (corpus), checked field by field against the article as published."""
    source = next(s for s in SOURCES if s["id"] == "a102657816")
    _, response = _page(source)
    item = _load(response)
    assert item["title"] == "“安邦帝国”彻底覆灭 吴小晖4套别墅网上拍卖"
    assert item["section"] == "中国时局"
    assert item["authors"] == ["李芸"]
    assert item["editor"] == "李泉"
    assert item["source"] is None
    assert item["tags"] == [
        {"name": "安邦保险集团", "url": "https://www.ntdtv.com/gb/安邦保险集团.htm"},
        {"name": "吴小晖", "url": "https://www.ntdtv.com/gb/吴小晖.htm"},
        {"name": "肖建华", "url": "https://www.ntdtv.com/gb/肖建华.htm"},
        {"name": "曾庆红", "url": "https://www.ntdtv.com/gb/曾庆红.htm"},
        {"name": "白手套", "url": "https://www.ntdtv.com/gb/白手套.htm"},
    ]
    assert item["text"].startswith("【新唐人北京时间2019年09月04日讯】近日，浙江杭州城西")
    assert item["text"].endswith("替江派高官海外走私、洗钱。\n\n（记者李芸报导/责任编辑：李泉）")
    assert (
        "\n\n杭州城西西溪风情花园有四套别墅集中上架拍卖，图为其中一款。（网络截图）\n\n"
        in item["text"]
    )
    # Inline tag links point at the local tag pages, relative to the article's file
    shard = hashlib.sha1("吴小晖".encode()).hexdigest()[:2]
    assert f"[吴小晖](../../../../tags/{shard}/吴小晖/README.md)" in item["markdown"]
    # In-body pictures: linked at the image host until the archive stores them, and listed
    picture = f"{IMAGES}/assets/uploads/2019/09/20190903_15675735871020.png"
    assert f"![]({picture})" in item["markdown"]
    assert {"url": picture, "path": None} in item["images"]
    assert item["path"] == "gb/2019/09/04/a102657816.md"
    assert item["featured_image"]["caption"].startswith("安邦集团董事长吴小晖被判有期徒刑近一年后")


def test_printed_beijing_time_wins_over_json_ld():
    source = SOURCES[10]
    article, response = _page(source)
    printed = article.beijing_time
    # The JSON-LD claims "Z" (UTC) for what is Beijing wall-clock time: 8 hours off if trusted
    assert printed.strftime("%Y-%m-%dT%H:%M:%SZ") in response.text
    assert _load(response)["published"] == printed.isoformat()
    assert _load(response)["published"].endswith("+08:00")


def test_published_falls_back_to_json_ld_wall_clock_when_time_is_missing():
    source = SOURCES[10]
    article, response = _page(source)
    html = re.sub(r'<span class="time">[^<]*</span>', "", response.text)
    item = _load(response.replace(body=html.encode()))
    assert item["published"] == article.beijing_time.isoformat()


@pytest.mark.parametrize("wrapper", ["a", "span", "none"])
def test_featured_image_in_each_wrapper(wrapper):
    source = next(s for s in SOURCES if s["id"] == "a900000001")
    _, response = _page(source)
    html = re.sub(r'<(a|span) href="[^"]*"( target="_blank")?><figure>', "<figure>", response.text)
    html = re.sub(r"</figure></(a|span)>", "</figure>", html)
    full = f"{IMAGES}/assets/uploads/2021/06/sanxia-dam.jpg"
    if wrapper != "none":
        html = html.replace("<figure>", f'<{wrapper} href="{full}"><figure>').replace(
            "</figure>", f"</figure></{wrapper}>", 1
        )
    item = _load(response.replace(body=html.encode()))
    assert item["featured_image"] == {
        "url": f"{IMAGES}/assets/uploads/2021/06/sanxia-dam-800x450.jpg",
        "full_url": full,  # without a wrapper: the name less "-800x450" (docs/site.md)
        "alt": "三峡大坝",
        "caption": "三峡大坝资料图。（Getty Images）",
        "path": None,
    }


def test_title_falls_back_to_og_title_then_title_tag():
    source = SOURCES[20]
    _, response = _page(source)
    no_h1 = re.sub(r'<div class="article_title">.*?</div>', "", response.text, flags=re.S)
    assert _load(response.replace(body=no_h1.encode()))["title"] == " ".join(
        source["title"].split()
    )
    no_og = re.sub(r'<meta property="og:title"[^>]*>', "", no_h1)
    assert _load(response.replace(body=no_og.encode()))["title"] == " ".join(
        source["title"].split()
    )


def test_synthetic_shapes_in_markdown():
    by_id = {s["id"]: s for s in SOURCES}
    md = _load(_page(by_id["a900000001"])[1])["markdown"]
    assert "### 一、泄洪能力" in md and "#### 1. 上游来水" in md
    md = _load(_page(by_id["a900000002"])[1])["markdown"]
    assert "| 省份 | 增速（%） |\n|---|---|\n| 广东 | 8.0 |\n| 江苏 \\| 南京 | 8.6 |" in md
    item = _load(_page(by_id["a900000002"])[1])
    assert item["source"] == "大纪元" and item["editor"] == "王言" and item["authors"] == []
    md = _load(_page(by_id["a900000003"])[1])["markdown"]
    assert "- 限制敏感技术出口\n  - 半导体\n  - 人工智能" in md
    assert "1. 参议院 68 票赞成\n2. 众议院待表决" in md
    assert "> 这是一项历史性的法案。\n>\n> ——参议员发言" in md
    item = _load(_page(by_id["a900000004"])[1])
    assert "广告" not in item["markdown"] and ".x{" not in item["markdown"]
    assert "onclick" not in item["markdown"]
    assert (
        "[▶ https://www.youtube.com/embed/abcdEFGH123](https://www.youtube.com/embed/abcdEFGH123)"
        in item["markdown"]
    )
    item = _load(_page(by_id["a900000005"])[1])
    assert item["tags"] == [] and item["featured_image"] is None
    item = _load(_page(by_id["a900000006"])[1])
    assert item["text"].count("\n\n") == 300
    assert item["authors"] == ["钟鼓笙"] and item["editor"] == "明轩"
