"""Each pipeline on its own, built from a crawler exactly as the engine builds it."""

from __future__ import annotations

import io

import pytest
import yaml
from PIL import Image
from scrapy import signals
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.archive.paths import shard
from crawler.archive.store import ArchiveStore
from crawler.exceptions import ArticleDropped
from crawler.items import Article
from crawler.pipelines import (
    ArchiveRecordPipeline,
    ArticleFilePipeline,
    ArticleImagesPipeline,
    DeduplicateArticlesPipeline,
    IndexPagesPipeline,
    ValidateArticlePipeline,
)
from tests.site.images import make_image


def _settings(archive) -> dict:
    names = [n for n in dir(project_settings) if n.isupper()]
    return {**{n: getattr(project_settings, n) for n in names}, "ARCHIVE_DIR": str(archive)}


def build(cls, archive):
    crawler = get_crawler(settings_dict=_settings(archive))
    pipeline = build_from_crawler(cls, crawler)
    if hasattr(pipeline, "open_spider"):
        pipeline.open_spider()
    return pipeline, crawler


def finish(crawler) -> None:
    """The end of a crawl, as the engine signals it: the store commits and closes."""
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")


def article(n: int = 1, **fields) -> Article:
    item = Article(
        id=f"a{n}",
        url=f"https://www.ntdtv.com/gb/2021/06/23/a{n}.html",
        lang="gb",
        title=f"标题 {n}: ---",
        published="2021-06-24T05:22:00+08:00",
        modified=None,
        section="中国时局",
        section_slug="prog1138",
        authors=["黎明"],
        editor="晓辉",
        source=None,
        tags=[{"name": "蚂蚁集团", "url": "https://www.ntdtv.com/gb/蚂蚁集团.htm"}],
        featured_image=None,
        text="正文",
        markdown="正文 [蚂蚁集团](../../../../tags/蚂蚁集团.md)",
        path=f"gb/2021/06/23/a{n}.md",
        date="2021-06-23",
    )
    item.update(fields)
    return item


@pytest.mark.parametrize(("field", "reason"), [("title", "no title"), ("markdown", "no body")])
def test_validation_drops_articles_without_title_or_body(tmp_path, field, reason):
    pipeline, crawler = build(ValidateArticlePipeline, tmp_path)
    with pytest.raises(ArticleDropped, match=f"the page has {reason}") as dropped:
        pipeline.process_item(article(**{field: None}))
    assert dropped.value.reason == ArticleDropped.INVALID
    assert crawler.stats.get_value("ntd/articles/invalid") == 1
    assert pipeline.process_item(article()) is not None


def test_each_article_once_per_run(tmp_path):
    dedupe, crawler = build(DeduplicateArticlesPipeline, tmp_path)
    assert dedupe.process_item(article(2)) is not None
    with pytest.raises(ArticleDropped, match="already handled") as dropped:
        dedupe.process_item(article(2))
    assert dropped.value.reason == ArticleDropped.DUPLICATE
    assert crawler.stats.get_value("ntd/articles/duplicate") == 1


def test_an_article_fetched_again_unchanged_is_dropped_as_unchanged(tmp_path):
    record, record_crawler = build(ArchiveRecordPipeline, tmp_path)
    record.process_item(article(1))
    finish(record_crawler)
    record, crawler = build(ArchiveRecordPipeline, tmp_path)
    with pytest.raises(ArticleDropped, match="unchanged") as dropped:
        record.process_item(article(1))
    assert dropped.value.reason == ArticleDropped.UNCHANGED
    # A retried featured image that failed again is not an unchanged article
    with pytest.raises(ArticleDropped) as dropped:
        record.process_item(article(1, image_retry=True))
    assert dropped.value.reason == ArticleDropped.IMAGE_STILL_MISSING
    assert crawler.stats.get_value("ntd/articles/unchanged") == 1
    changed = article(1, text="新的正文", markdown="新的正文")
    assert record.process_item(changed)["outcome"] == "updated"


def _jpeg(size=(80, 45)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, "JPEG")
    return buf.getvalue()


def _bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")
    return buf.getvalue()


def test_image_check_accepts_real_images_and_refuses_the_rest(tmp_path):
    pipeline, _ = build(ArticleImagesPipeline, tmp_path)
    pipeline.check_image(_jpeg())
    bomb = _bomb()
    assert len(bomb) < 200_000
    cases = {
        b"": "empty",
        b"<html>not an image</html>": "^not an image: no image format recognised$",
        _jpeg()[:200]: "not a valid image",
        bomb: "too large",
    }
    for data, message in cases.items():
        with pytest.raises(ValueError, match=message):
            pipeline.check_image(data)


def test_a_jpeg_cut_anywhere_is_refused_and_a_whole_one_kept(tmp_path):
    """A JPEG is checked for its end, not decoded: cut at any byte after its headers, it is
    refused; whole, with bytes after its end (some sites' files have them), it is kept."""
    pipeline, _ = build(ArticleImagesPipeline, tmp_path)
    whole = make_image("photo-800x450.jpg")
    pipeline.check_image(whole)
    pipeline.check_image(whole + b"\x00" * 100)
    scan = whole.find(b"\xff\xda")
    for cut in range(scan, len(whole), 97):
        with pytest.raises(ValueError, match="not a valid image"):
            pipeline.check_image(whole[:cut])
    with pytest.raises(ValueError, match="not a valid image"):
        pipeline.check_image(whole[:-1])
    # A thumbnail in the EXIF segment has its own scan and end-of-image marker, before the
    # picture's: the picture cut anywhere after the thumbnail is still refused
    exif = b"Exif\x00\x00" + _jpeg((16, 9))
    with_thumbnail = whole[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + whole[2:]
    pipeline.check_image(with_thumbnail)
    scan = with_thumbnail.rfind(b"\xff\xda")
    cuts = [*range(6 + len(exif), scan + 20), *range(scan + 20, len(with_thumbnail), 97)]
    for cut in cuts:
        with pytest.raises(ValueError, match="not a valid image|not an image"):
            pipeline.check_image(with_thumbnail[:cut])


def test_a_multi_picture_jpeg_cut_in_a_later_picture_is_refused(tmp_path):
    """An MPO file (JPEG pictures one after another) is checked like a JPEG: Pillow decodes
    only its first picture, so a file cut inside a later one must be refused by its end."""
    pipeline, _ = build(ArticleImagesPipeline, tmp_path)
    first, second = (Image.new("RGB", (64, 48), color) for color in ((200, 10, 10), (10, 90, 9)))
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[second])
    whole = buf.getvalue()
    assert Image.open(io.BytesIO(whole)).format == "MPO"
    pipeline.check_image(whole)
    second_picture = whole.find(b"\xff\xd8", whole.find(b"\xff\xd9"))
    for cut in range(second_picture + 2, len(whole), 7):
        with pytest.raises(ValueError, match="not a valid image"):
            pipeline.check_image(whole[:cut])


def test_article_file_is_written_once_and_not_rewritten(tmp_path):
    pipeline, crawler = build(ArticleFilePipeline, tmp_path)
    pipeline.process_item(article())
    path = tmp_path / "gb/2021/06/23/a1.md"
    first = path.stat().st_mtime_ns
    text = path.read_text("utf-8")
    front = yaml.safe_load(text.split("\n---\n")[0][4:])
    assert front["title"] == "标题 1: ---" and front["tags"] == ["蚂蚁集团"]
    assert "\n# 标题 1: ---\n" in text
    assert text.rstrip().endswith("Source: <https://www.ntdtv.com/gb/2021/06/23/a1.html>")
    pipeline.process_item(article())
    assert path.stat().st_mtime_ns == first
    assert crawler.stats.get_value("ntd/files/articles_written") == 1


def test_index_pages_are_built_from_the_store_and_survive_a_killed_run(tmp_path):
    record, record_crawler = build(ArchiveRecordPipeline, tmp_path)
    for n in (1, 2):
        record.process_item(article(n))
    record.store.commit()
    # A run killed before close_spider: the store still knows which pages are stale
    assert ("tag", "蚂蚁集团") in ArchiveStore.in_archive(tmp_path).stale_pages()
    index, index_crawler = build(IndexPagesPipeline, tmp_path)
    index.close_spider()
    finish(index_crawler)
    day = (tmp_path / "gb/2021/06/23/README.md").read_text("utf-8")
    assert "](a1.md)" in day and "](a2.md)" in day
    tag_folder = tmp_path / "tags" / shard("蚂蚁集团") / "蚂蚁集团"
    months = (tag_folder / "README.md").read_text("utf-8")
    assert "[2021-06](2021-06.md) (2)" in months
    tag = (tag_folder / "2021-06.md").read_text("utf-8")
    assert "../../../gb/2021/06/23/a1.md" in tag and tag.startswith("[首页](../../../README.md)")
    assert "2 articles archived" in (tmp_path / "README.md").read_text("utf-8")
    assert (tmp_path / "sections/中国时局/2021-06.md").is_file()
    assert "蚂蚁集团" in (tmp_path / "tags" / shard("蚂蚁集团") / "README.md").read_text("utf-8")
    assert ArchiveStore.in_archive(tmp_path).stale_pages() == []


def test_a_save_that_fails_undoes_only_its_article(tmp_path):
    """The store commits saves in batches: a save that fails (here SQLite refuses a record with
    no title) must not take the batch's earlier saves with it, whose files are on disk."""
    import sqlite3

    record, crawler = build(ArchiveRecordPipeline, tmp_path)
    record.process_item(article(1))
    record.process_item(article(2, tags=[{"name": "新标签", "url": "https://x.org/t.htm"}]))
    with pytest.raises(sqlite3.IntegrityError):
        record.process_item(article(3, title=None, tags=[{"name": "又一个", "url": "u"}]))
    record.process_item(article(4))
    record.store.commit()
    store = ArchiveStore.in_archive(tmp_path)
    assert [store.record(f"a{n}") is not None for n in (1, 2, 3, 4)] == [True, True, False, True]
    assert store.tags_in_shard(shard("新标签")) == ["新标签"]
    assert store.tags_in_shard(shard("又一个")) == []
    assert ("tag", "新标签") in store.stale_pages()
    finish(crawler)


def test_a_tag_no_article_carries_any_more_leaves_its_shard_list(tmp_path):
    """An article refreshed without its only tag: the tag's pages go, and so does the link to
    them from its shard folder's list (else that list would link to a removed page)."""
    record, crawler = build(ArchiveRecordPipeline, tmp_path)
    index, _ = build(IndexPagesPipeline, tmp_path)
    record.process_item(
        article(1, tags=[{"name": "独有标签", "url": "https://www.ntdtv.com/gb/x.htm"}])
    )
    record.store.commit()
    index.close_spider()
    shard_list = tmp_path / "tags" / shard("独有标签") / "README.md"
    assert "独有标签/README.md" in shard_list.read_text("utf-8")
    record.process_item(article(1, tags=[], text="改过的正文", markdown="改过的正文"))
    record.store.commit()
    index.close_spider()
    assert not (tmp_path / "tags" / shard("独有标签") / "独有标签").exists()
    assert "独有标签" not in shard_list.read_text("utf-8")
    finish(crawler)
