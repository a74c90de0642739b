"""The article file's front matter: written directly when its values need no quoting, and then
byte for byte what PyYAML (libyaml's emitter) writes."""

from __future__ import annotations

import random

import yaml

from crawler.archive.frontmatter import _dumped, _scalar, front_matter

TYPICAL = {
    "title": "贪污受贿 吉林省原副省长谷春立被判12年",
    "id": "a103149816",
    "url": "https://www.ntdtv.com/gb/2021/06/23/a103149816.html",
    "lang": "gb",
    "published": "2021-06-23T09:30:00+08:00",
    "section": "大陆新闻",
    "authors": ["李平", "王明"],
    "editor": None,
    "tags": ["中共", "COVID-19"],
    "image": "../../../../images/2021/06/ab/GettyImages-466071158-1-800x450.jpg",
}


def test_typical_values_are_written_directly_as_pyyaml_writes_them():
    assert _scalar(TYPICAL["title"], in_flow=False) == TYPICAL["title"]
    assert _scalar(TYPICAL["url"], in_flow=False) == TYPICAL["url"]
    # A timestamp would read back as a date: quoted
    assert _scalar(TYPICAL["published"], in_flow=False) == "'2021-06-23T09:30:00+08:00'"
    assert _scalar(None, in_flow=False) == "null"
    text = front_matter(TYPICAL)
    assert text == _dumped(TYPICAL)
    assert "\ntags: [中共, COVID-19]\n" in text
    assert yaml.safe_load(text[4:-4]) == TYPICAL


def test_values_that_need_quoting_go_through_pyyaml():
    for value in ["a: b", "- item", "#tag", "yes", "", " lead", "trail ", "line\nbreak", "😀"]:
        assert _scalar(value, in_flow=False) is None or value == "yes"
        meta = {"title": value, "tags": [value]}
        assert front_matter(meta) == _dumped(meta)
        assert yaml.safe_load(front_matter(meta)[4:-4]) == meta
    # In a flow list a comma or a colon is an indicator; in a block value it is not
    assert _scalar("北京, 上海", in_flow=False) == "北京, 上海"
    assert _scalar("北京, 上海", in_flow=True) is None


def test_a_line_past_libyamls_width_goes_through_pyyaml():
    # libyaml breaks a flow list's line past its width (65,536 columns)
    for meta in ({"tags": ["ab"] * 20_000}, {"tags": ["x" * 9_990] * 8}, {"title": "长" * 70_000}):
        assert front_matter(meta) == _dumped(meta)
    assert "\n  ab, " in front_matter({"tags": ["ab"] * 40_000})


# Indicators, white space of every kind, characters libyaml escapes or reads as line breaks,
# and words the resolver reads as numbers, booleans, dates or null
ALPHABET = list("abcXYZyYnNtTfFoO019.-+_/:#,[]{}&*!|>'\"%@`?~=< \t\n\r") + [
    "\u3000", "\u00a0", "\u2028", "\u0085", "\ufeff", "😀", "中", "：", "“", "—", "\x7f",
    "\x00", "é", "\u200b", "\uffff", "\ue000",
]  # fmt: skip
WORDS = [
    "yes", "No", "null", "~", "true", "2021-06-01", "2021-06-01T09:30:00+08:00", "12", "1.5",
    ".inf", "0x1F", "1_000", "12:30", "=", "<<", "---", "...", "- a", "a: b", "a #b", "a#b",
    "http://x.y/z", "", " ", "新唐人", "Off", "NaN", "-",
]  # fmt: skip


def test_random_values_come_out_as_pyyaml_writes_them():
    rng = random.Random(20261130)
    direct = 0
    for _ in range(20_000):
        if rng.random() < 0.4:
            value = rng.choice(WORDS) + rng.choice(WORDS)
        else:
            value = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8)))
        for meta, in_flow in (({"title": value}, False), ({"tags": [value, "x"]}, True)):
            assert front_matter(meta) == _dumped(meta), meta
            direct += _scalar(value, in_flow) is not None
    # The direct way was taken often enough for the comparison to mean something
    assert direct > 10_000
