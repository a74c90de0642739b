"""Synthetic articles for the shapes the real corpus lacks (docs/site.md, corpus README):
h3/h4 sub-headings, tables, lists, in-body figures and video, no tags, no featured image,
very long bodies. Same keys as the corpus files, with the expected values written by hand."""

from __future__ import annotations

UPLOADS = "https://i.ntdtv.com/assets/uploads/2021/06"


def _image(name: str, alt: str, caption: str | None) -> dict:
    return {
        "src": f"{UPLOADS}/{name}-800x450.jpg",
        "full": f"{UPLOADS}/{name}.jpg",
        "alt": alt,
        "caption": caption,
    }


def _article(key: str, title: str, section: str, image: dict | None, body: str, **expected):
    return {
        "id": f"a9{key}",
        "url": f"https://www.ntdtv.com/gb/2021/06/23/a9{key}.html",
        "lang": "gb",
        "date": "2021-06-23",
        "section_slug": section,
        "title": title,
        "featured_image": image,
        "body_html": body,
        "tags": expected.get("tags", []),
        "links": [],
        "body_text": expected["body_text"],
        "credit": expected.get("credit"),
        "images_in_body": expected.get("images_in_body", []),
        "synthetic": True,
    }


SUBHEADINGS = _article(
    "00000001",
    "专题：三峡大坝的隐忧 专家逐条分析",
    "prog1138",
    _image("sanxia-dam", "三峡大坝", "三峡大坝资料图。（Getty Images）"),
    '<p>【新唐人北京时间2021年06月24日讯】今年汛期将至，<a href="/gb/%E4%B8%89%E5%B3%A1%E5%A4%A7%E5%9D%9D.htm">三峡大坝</a>再度引发关注。</p>'
    "<h3>一、泄洪能力</h3><p>专家指出，泄洪能力有限。</p>"
    "<h4>1. 上游来水</h4><p>上游来水量创下新高。</p>"
    '<h3>二、地质风险</h3><p>库区地质灾害频发，<a href="https://www.ntdtv.com/gb/三峡大坝.htm">三峡大坝</a>周边尤甚。</p>'
    "<p>（记者黎明、李芸综合报导/责任编辑：晓辉）</p>",
    tags=[{"name": "三峡大坝", "url": "https://www.ntdtv.com/gb/三峡大坝.htm"}],
    body_text="【新唐人北京时间2021年06月24日讯】今年汛期将至，三峡大坝再度引发关注。\n\n一、泄洪能力\n\n专家指出，泄洪能力有限。\n\n1. 上游来水\n\n上游来水量创下新高。\n\n二、地质风险\n\n库区地质灾害频发，三峡大坝周边尤甚。\n\n（记者黎明、李芸综合报导/责任编辑：晓辉）",
    credit="（记者黎明、李芸综合报导/责任编辑：晓辉）",
)

TABLE = _article(
    "00000002",
    "数据：2021年各省GDP增速一览 | 表格",
    "prog204",
    _image("gdp-table", "各省GDP", None),
    '<p>下表列出部分省份的<a href="https://www.ntdtv.com/gb/GDP.htm">GDP</a>增速：</p>'
    "<table><thead><tr><th>省份</th><th>增速（%）</th></tr></thead>"
    "<tbody><tr><td>广东</td><td>8.0</td></tr><tr><td>江苏 | 南京</td><td>8.6</td></tr>"
    "<tr><td>湖北</td><td>12.9</td></tr></tbody></table>"
    "<p>（转自大纪元/责任编辑：王言）</p>",
    tags=[{"name": "GDP", "url": "https://www.ntdtv.com/gb/GDP.htm"}],
    body_text="下表列出部分省份的GDP增速：\n\n省份 | 增速（%）\n广东 | 8.0\n江苏 | 南京 | 8.6\n湖北 | 12.9\n\n（转自大纪元/责任编辑：王言）",
    credit="（转自大纪元/责任编辑：王言）",
)

LISTS = _article(
    "00000003",
    "美国国会通过法案：要点有哪些？",
    "prog203",
    _image("congress-bill", "美国国会", "美国国会大厦。"),
    "<p>法案要点如下：</p>"
    "<ul><li>加强供应链审查</li><li>限制敏感技术出口<ul><li>半导体</li><li>人工智能</li></ul></li>"
    '<li>资助<a href="https://www.ntdtv.com/gb/%E5%8D%8A%E5%AF%BC%E4%BD%93.htm">半导体</a>研发</li></ul>'
    "<p>表决结果：</p><ol><li>参议院 68 票赞成</li><li>众议院待表决</li></ol>"
    "<blockquote><p>这是一项历史性的法案。</p><p>——参议员发言</p></blockquote>"
    "<p>（责任编辑：李昊）</p>",
    tags=[{"name": "半导体", "url": "https://www.ntdtv.com/gb/半导体.htm"}],
    body_text="法案要点如下：\n\n加强供应链审查\n限制敏感技术出口\n半导体\n人工智能\n资助半导体研发\n\n表决结果：\n\n参议院 68 票赞成\n众议院待表决\n\n这是一项历史性的法案。\n\n——参议员发言\n\n（责任编辑：李昊）",
    credit="（责任编辑：李昊）",
)

MEDIA = _article(
    "00000004",
    "视频：洪水冲毁村庄 现场画面曝光",
    "prog204",
    _image("flood-village", "洪水", "洪水过后的村庄。（视频截图）"),
    "<p>多地遭遇洪灾。</p>"
    '<div class="single_ad"><script>googletag.cmd.push(function(){});</script><p>广告</p></div>'
    '<figure class="wp-caption aligncenter"><a href="https://i.ntdtv.com/assets/uploads/2021/06/flood-1.jpg">'
    '<img alt="被冲毁的房屋" src="https://i.ntdtv.com/assets/uploads/2021/06/flood-1-600x400.jpg"></a>'
    '<figcaption class="wp-caption-text">被冲毁的房屋。（网络图片）</figcaption></figure>'
    '<p><iframe src="https://www.youtube.com/embed/abcdEFGH123" width="560" height="315"></iframe></p>'
    "<style>.x{color:red}</style>"
    '<p onclick="alert(1)">当地居民紧急撤离。<img src="https://i.ntdtv.com/assets/uploads/2021/06/flood-2.jpg" alt=""></p>'
    "<p>（记者萧静报导／责任编辑：梅兰）</p>",
    body_text="多地遭遇洪灾。\n\n被冲毁的房屋。（网络图片）\n\n当地居民紧急撤离。\n\n（记者萧静报导／责任编辑：梅兰）",
    credit="（记者萧静报导／责任编辑：梅兰）",
    images_in_body=[
        "https://i.ntdtv.com/assets/uploads/2021/06/flood-1-600x400.jpg",
        "https://i.ntdtv.com/assets/uploads/2021/06/flood-2.jpg",
    ],
)

NO_TAGS_NO_IMAGE = _article(
    "00000005",
    "简讯：今日股市收盘",
    "prog204",
    None,
    "<p>今日沪指收涨0.5%。</p><p>深成指收跌0.2%。</p>",
    body_text="今日沪指收涨0.5%。\n\n深成指收跌0.2%。",
)

_LONG_PARAGRAPHS = [
    f"第{i}段：这是一篇很长的专题报导，用来检验长文的完整性，段落编号{i}。" for i in range(1, 301)
]
LONG = _article(
    "00000006",
    "长篇专题：百年回顾（全文）",
    "prog1138",
    _image("century-review", "百年回顾", "资料图片。"),
    "".join(f"<p>{p}</p>" for p in _LONG_PARAGRAPHS)
    + "<p>（记者钟鼓笙综合报导/责任编辑：明轩）</p>",
    body_text="\n\n".join(_LONG_PARAGRAPHS) + "\n\n（记者钟鼓笙综合报导/责任编辑：明轩）",
    credit="（记者钟鼓笙综合报导/责任编辑：明轩）",
)

SYNTHETIC_ARTICLES = [SUBHEADINGS, TABLE, LISTS, MEDIA, NO_TAGS_NO_IMAGE, LONG]
