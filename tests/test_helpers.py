"""Pure helpers: dates, credits, site addresses, archive paths."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata

import pytest

from crawler.archive.files import OutsideArchiveError, archive_file, write_if_changed
from crawler.archive.paths import image_path, relative_link, safe_name, tag_page_path
from crawler.site.credits import Credit, find_credit, parse_credit
from crawler.site.dates import DateArgumentError, crawl_days, parse_printed_beijing_time
from crawler.site.urls import absolute_url, parse_article_url


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("北京时间：2021-06-24 05:22", "2021-06-24T05:22:00+08:00"),
        ("北京时间: 2021-6-4 5:02:09", "2021-06-04T05:02:09+08:00"),
        ("北京时间：2021年06月24日 05:22", "2021-06-24T05:22:00+08:00"),
        ("北京时间：2021-02-30 05:22", None),
        ("刚刚", None),
        ("", None),
    ],
)
def test_printed_beijing_time(printed, iso):
    assert parse_printed_beijing_time(printed) == iso


def test_crawl_days_range_and_defaults():
    assert crawl_days("2021-06-01", "2021-06-03", None) == [
        dt.date(2021, 6, 1),
        dt.date(2021, 6, 2),
        dt.date(2021, 6, 3),
    ]
    assert crawl_days("2021-06-01", None, None) == [dt.date(2021, 6, 1)]
    today = dt.date(2026, 11, 26)
    assert crawl_days(None, None, None, today=today) == [dt.date(2026, 11, 25), today]
    assert len(crawl_days(None, None, "7", today=today)) == 7
    for bad in [("2021-06-02", "2021-06-01", None), ("x", None, None), (None, None, "0")]:
        with pytest.raises(DateArgumentError):
            crawl_days(*bad)


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("（记者黎明综合报导/责任编辑：晓辉）", Credit(["黎明"], "晓辉", None)),
        ("（责任编辑：李昊）", Credit([], "李昊", None)),
        ("（转自大纪元/责任编辑：王言）", Credit([], "王言", "大纪元")),
        ("(记者卢勇信综合报导)", Credit(["卢勇信"], None, None)),
        ("（记者萧静报导／责任编辑：梅兰）", Credit(["萧静"], "梅兰", None)),
        ("（记者黎明、李芸综合报导/责任编辑：晓辉）", Credit(["黎明", "李芸"], "晓辉", None)),
        ("（罗婷婷综合报导/责任编辑戴明）", Credit(["罗婷婷"], "戴明", None)),
        ("采访/常春编辑/尚燕后制/陈建铭", Credit(["常春"], "尚燕", None)),
        ("（网络截图）", None),
        ("（图片来源：网络）", None),
        ("这是一段正文，不是署名。", None),
    ],
)
def test_parse_credit(line, credit):
    assert parse_credit(line) == credit


def test_credit_is_found_above_trailing_related_links():
    blocks = ["正文", "（记者文馨报导/责任编辑：李泉）", "相关链接：某文章"]
    assert find_credit(blocks) == (1, Credit(["文馨"], "李泉", None))


def test_article_addresses():
    address = parse_article_url("https://www.ntdtv.com/gb/2021/06/23/a103149816.html")
    assert (address.lang, address.date, address.id) == ("gb", dt.date(2021, 6, 23), "a103149816")
    assert address.archive_path == "gb/2021/06/23/a103149816.md"
    assert (
        parse_article_url(absolute_url("https://x.com/a/", "/%67b/2021/06/23/a1.html")).id == "a1"
    )
    for bad in [
        "https://www.ntdtv.com/gb/2021/02/30/a1.html",
        "https://www.ntdtv.com/en/2021/06/23/a1.html",
        "https://www.ntdtv.com/gb/2021/06/23/../../a1.html",
        "javascript:alert(1)",
        "https://www.ntdtv.com/gb/蚂蚁集团.htm",
    ]:
        assert parse_article_url(bad) is None


def test_safe_names_are_plain_when_possible_and_never_collide():
    assert safe_name("蚂蚁集团") == "蚂蚁集团"
    assert safe_name("中共病毒（COVID-19）") == "中共病毒（COVID-19）"
    hostile = [
        "../x",
        "x/..",
        "a/b",
        "a\\b",
        "a\x00b",
        ".x",
        "CON",
        "readme",
        "x" * 400,
        "a b",
        "a?b",
    ]
    names = [safe_name(n) for n in hostile]
    for name in names:
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert not name.startswith(".") and len(name.encode()) <= 140
    nfc, nfd = unicodedata.normalize("NFC", "é"), unicodedata.normalize("NFD", "é")
    variants = ["ABC", "ＡＢＣ", nfc, nfd, "a b", "a-b", "a?b", "a/b"]
    assert len({safe_name(n) for n in variants}) == len(variants)
    assert tag_page_path("README") != "tags/README.md"


def test_image_paths_stay_in_images():
    assert (
        image_path("https://i.ntdtv.com/assets/uploads/2021/06/abc-800x450.jpg")
        # sharded by the first two hex digits of sha1("abc-800x450")
        == f"images/2021/06/{hashlib.sha1(b'abc-800x450').hexdigest()[:2]}/abc-800x450.jpg"
    )
    for url in [
        "https://i.ntdtv.com/assets/uploads/2021/06/..%2F..%2F..%2Fetc.jpg",
        "https://evil.example/../../x.png",
        "https://i.ntdtv.com/assets/uploads/2021/06/.hidden.jpg",
    ]:
        path = image_path(url)
        assert path.startswith("images/other/") or path.startswith("images/2021/06/")
        assert ".." not in path and "/." not in path


def test_relative_links():
    assert relative_link("gb/2021/06/23/a1.md", "tags/x.md") == "../../../../tags/x.md"
    assert relative_link("tags/x.md", "gb/2021/06/23/a1.md") == "../gb/2021/06/23/a1.md"
    assert relative_link("README.md", "sections/y.md") == "sections/y.md"


def test_nothing_is_written_outside_the_archive(tmp_path):
    archive = tmp_path / "archive"
    for bad in ["../x.md", "/etc/x", "a/../../x", "a\\..\\x", "a\x00.md"]:
        with pytest.raises(OutsideArchiveError):
            archive_file(archive, bad)
    assert write_if_changed(archive, "a/b.md", b"1") is True
    assert write_if_changed(archive, "a/b.md", b"1") is False
    assert write_if_changed(archive, "a/b.md", b"2") is True
    assert (archive / "a/b.md").read_bytes() == b"2"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "archive", "b.md"]


def test_absolute_url_gives_what_urljoin_gives():
    """absolute_url skips urljoin for plain absolute addresses: for any href, it must give
    urljoin's address (or raise as urljoin does)."""
    import random
    from urllib.parse import urljoin

    pieces = ["http://", "https://", "HTTP://", "http:///", "//", "/", "a", "中", "%2F", "?"]
    pieces += ["#", ";", "[", "]", "@", ":", " ", "\t", "\n", "\r", "\x00", "\\", ".", "..", "x"]
    rnd = random.Random(7)
    hrefs = ["https://www.ntdtv.com/gb/2021/06/01/a1.html", "http://img.ntdtv.com/x.jpg", ""]
    hrefs += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 9))) for _ in range(50000)]
    fast = 0
    for base in ("https://www.ntdtv.com/gb/2021/06/01/a103.html", "http://127.0.0.1:8/b5/x/"):
        for href in hrefs:
            try:
                want = urljoin(base, href.strip())
            except ValueError:
                with pytest.raises(ValueError):
                    absolute_url(base, href)
                continue
            assert absolute_url(base, href) == want, href
            fast += want == href.strip() and href.strip().startswith("http")
    assert fast > 1000  # the fast path was taken, and agreed
