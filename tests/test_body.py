"""HTML body -> Markdown / text / tags (crawler.site.body)."""

from __future__ import annotations

import lxml.html

from crawler.site.body import convert_body

SITE = "https://www.ntdtv.com/gb/2021/06/23/a1.html"


def convert(html: str):
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return convert_body(
        root, SITE, frozenset({"www.ntdtv.com"}), tag_href=lambda name: f"../tags/{name}.md"
    )


def test_paragraphs_are_separated_by_a_blank_line():
    body = convert("<p>一</p><p>二<br>三</p>")
    assert body.markdown == "一\n\n二\\\n三"
    assert body.text == "一\n\n二\n三"


def test_tags_in_order_of_first_appearance_without_repeats():
    body = convert(
        '<p><a href="/gb/%E7%94%B2.htm">甲</a><a href="https://www.ntdtv.com/gb/乙.htm">乙</a>'
        '<a href="https://www.ntdtv.com/gb/甲.htm">甲</a><a href="https://example.com/gb/丙.htm">丙</a></p>'
    )
    assert [(t.name, t.url) for t in body.tags] == [
        ("甲", "https://www.ntdtv.com/gb/甲.htm"),
        ("乙", "https://www.ntdtv.com/gb/乙.htm"),
    ]
    assert (
        body.markdown
        == "[甲](../tags/甲.md)[乙](../tags/乙.md)[甲](../tags/甲.md)[丙](https://example.com/gb/丙.htm)"
    )


def test_active_content_is_dropped_and_text_is_kept():
    body = convert(
        '<p onclick="steal()">文字<script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:alert(1)">点我</a><a href="data:text/html,x">数据</a>'
        '<!-- comment --><img src="data:image/png;base64,AAAA" onerror="x()"></p>'
        '<iframe src="javascript:alert(1)"></iframe><form><input value=v></form>'
    )
    assert body.markdown == "文字点我数据"
    assert body.text == "文字点我数据"


def test_markdown_control_characters_in_text_are_escaped():
    body = convert("<p># 不是标题 *星* [括号] <b>x</b> a|b</p><p>1. 不是列表</p><p>- 也不是</p>")
    assert body.markdown == (
        "\\# 不是标题 \\*星\\* \\[括号\\] **x** a\\|b\n\n1\\. 不是列表\n\n\\- 也不是"
    )
    assert body.text == "# 不是标题 *星* [括号] x a|b\n\n1. 不是列表\n\n- 也不是"


def test_html_in_text_cannot_become_markup():
    body = convert("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;</p>")
    assert "<script" not in body.markdown
    assert body.markdown == "&lt;script\\>alert(1)&lt;/script\\> &amp;lt;"
    assert body.text == "<script>alert(1)</script> &lt;"


def test_links_and_images_become_absolute_http():
    body = convert(
        '<p><a href="/gb/2021/06/01/a2.html">另一篇 (链接)</a>'
        '<img src="//i.ntdtv.com/x (1).jpg" alt="图[1]"></p>'
    )
    assert body.markdown == (
        "[另一篇 (链接)](https://www.ntdtv.com/gb/2021/06/01/a2.html)"
        "![图\\[1\\]](https://i.ntdtv.com/x%20%281%29.jpg)"
    )


def test_headings_lists_quotes_and_figures():
    body = convert(
        '<h2>小标题</h2><h4>更小</h4><ol start="3"><li>三</li><li><p>四</p></li></ol>'
        "<blockquote><p>引</p><p>言</p></blockquote>"
        '<figure><img src="https://i.ntdtv.com/a.jpg" alt=""><figcaption>说明</figcaption></figure>'
    )
    assert body.markdown == (
        "## 小标题\n\n#### 更小\n\n3. 三\n4. 四\n\n> 引\n>\n> 言\n\n"
        "![](https://i.ntdtv.com/a.jpg)\n\n*说明*"
    )
    assert body.blocks == ["小标题", "更小", "三\n四", "引\n\n言", "说明"]


def test_table_cells_cannot_break_the_table():
    body = convert("<table><tr><td>a|b</td><td>c<br>d</td></tr><tr><td>1</td></tr></table>")
    assert body.markdown == "| a\\|b | c d |\n|---|---|\n| 1 |  |"


def test_empty_elements_leave_nothing():
    body = convert('<p> </p><h1></h1><p><strong> </strong></p><div class="single_ad">广告</div>')
    assert body.markdown == "" and body.text == "" and body.tags == []
