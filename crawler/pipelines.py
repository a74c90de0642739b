"""Item pipelines, one concern each, in the order they run (ITEM_PIPELINES in settings.py):

100 ValidateArticlePipeline      drop articles without a title or a body, with the reason
200 DeduplicateArticlesPipeline  each article once per run
250 ArticleHistoryPipeline       a changed article keeps its `published`, gets `modified`
300 ArticleImagesPipeline        download its pictures once each, keep their original bytes
400 ArticleFilePipeline          write the article's Markdown file (atomically, if changed)
450 ArticleQRCodePipeline        PUBLIC_URL set: the article's QR code beside its file
                                 (crawler/qrcodes.py)
500 ArchiveRecordPipeline        record the article in the store, after its files are on disk;
                                 the one place that decides an article is unchanged
520 ArticleBacklinksPipeline     articles that link to a new one now link to its file
550 SharedArchivePipeline        distributed workers only: tell the others (Redis) it is done
600 IndexPagesPipeline           rebuild the index pages the run touched, from the store

An article that is not archived is dropped with an ArticleDropped, whose `reason` says why.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import warnings

from itemadapter import ItemAdapter
from PIL import Image, UnidentifiedImageError
from scrapy import Request
from scrapy.http.request import NO_CALLBACK

from crawler import signals
from crawler.archive.backlinks import relink_to
from crawler.archive.files import (
    archive_file,
    write_atomic,
    write_if_changed,
)
from crawler.archive.indexes import rebuild_stale_pages
from crawler.archive.pages import HOME, render_article
from crawler.archive.paths import image_path
from crawler.archive.records import (
    content_hash,
    local_article_links,
    local_image_links,
    record_of,
    stored_json,
)
from crawler.archive.store import ArchiveStore
from crawler.archive.upgrade import upgrade_archive
from crawler.distributed import ARCHIVED_KEY
from crawler.exceptions import ArticleDropped, download_failure
from crawler.qrcodes import public_url_of
from crawler.site.dates import BEIJING

logger = logging.getLogger(__name__)


class _StorePipeline:
    """A pipeline that uses the crawl's store."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.stats = crawler.stats
        self.store: ArchiveStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        self.store = ArchiveStore.of_crawler(self.crawler)


class ValidateArticlePipeline:
    def __init__(self, crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        missing = [name for name in ("title", "markdown") if not adapter.get(name)]
        if missing:
            self.stats.inc_value("ntd/articles/invalid")
            what = " and ".join("body" if m == "markdown" else m for m in missing)
            raise ArticleDropped(ArticleDropped.INVALID, f"the page has no {what}", "WARNING")
        if not adapter.get("published"):
            self.stats.inc_value("ntd/articles/no_published_time")
            logger.warning("Article %s has no publication time", adapter.get("url"))
        return item


class DeduplicateArticlesPipeline:
    def __init__(self, crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        article_id = ItemAdapter(item)["id"]
        if article_id in self.seen:
            self.stats.inc_value("ntd/articles/duplicate")
            raise ArticleDropped(ArticleDropped.DUPLICATE, "already handled in this run", "DEBUG")
        self.seen.add(article_id)
        return item


class ArticleHistoryPipeline(_StorePipeline):
    """An article fetched again keeps the times it was archived with; if its content changed,
    it keeps its publication time and gets a `modified` time: the page's, or the moment the
    change was seen."""

    def process_item(self, item):
        adapter = ItemAdapter(item)
        state = self.store.article_state(adapter["id"])
        if state is None:
            return item
        stored = self.store.record(adapter["id"])
        if state.content_hash == content_hash(record_of(item)):
            adapter["published"] = stored.get("published")
            adapter["modified"] = stored.get("modified")
            return item
        adapter["published"] = stored.get("published") or adapter.get("published")
        page_modified = adapter.get("modified")
        if not page_modified or page_modified <= (stored.get("modified") or ""):
            now = dt.datetime.now(BEIJING).replace(microsecond=0)
            adapter["modified"] = now.isoformat()
        return item


class ArticleImagesPipeline:
    """Downloads every picture an article shows, its featured image and those in its body,
    once per address, through Scrapy's engine (so robots.txt, retries, throttling and size
    limits apply), checks each with Pillow and keeps its original bytes; the body's Markdown
    then links to the stored files. A picture that fails keeps its remote address, and later
    runs over its day try it again (RetryFailedImagesMiddleware).

    Not Scrapy's ImagesPipeline: it re-encodes every image as JPEG, and the archive keeps the
    original bytes. Not FilesPipeline either: it names files by a hash of the address (the
    archive keeps the site's own file names, images/YYYY/MM/<shard>/<name>), it does not check
    that the bytes are a whole image of a safe size, and it stores through its own storage
    classes, which would bypass the archive's atomic writes and its never-outside-the-archive
    guard."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.max_pixels = crawler.settings.getint("IMAGES_MAX_PIXELS")
        self.max_bytes = crawler.settings.getint("IMAGES_MAX_BYTES")
        self.timeout = crawler.settings.getfloat("IMAGES_TIMEOUT")
        self.stats = crawler.stats
        # url -> future of (archive path or None, reason): each image fetched once per run
        self.fetches: dict[str, asyncio.Future] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        featured = adapter.get("featured_image")
        if featured and featured.get("url"):
            path = await self.stored_path(featured["url"], adapter.get("url"))
            adapter["featured_image"] = {**featured, "path": path}
        images = []
        for image in adapter.get("images") or []:
            path = image.get("path") or await self.stored_path(image["url"], adapter.get("url"))
            images.append({"url": image["url"], "path": path})
        if images:
            adapter["images"] = images
            adapter["markdown"] = local_image_links(adapter["markdown"], images, adapter["path"])
        return item

    async def stored_path(self, url: str, article_url: str | None) -> str | None:
        """Where the picture is in the archive, downloading it first; None if it failed."""
        fetch = self.fetches.get(url)
        if fetch is None:
            fetch = asyncio.ensure_future(self.fetch(url))
            self.fetches[url] = fetch
        path, reason = await asyncio.shield(fetch)
        if path:
            self.stats.inc_value("ntd/images/stored")
            return path
        self.stats.inc_value("ntd/images/failed")
        logger.warning(
            "Image %s of %s not stored (%s): article kept without it", url, article_url, reason
        )
        self.crawler.signals.send_catch_log(
            signals.image_failed, url=url, article_url=article_url, reason=reason
        )
        return None

    async def fetch(self, url: str) -> tuple[str | None, str]:
        path = image_path(url)
        target = archive_file(self.archive_dir, path)
        if target.exists():
            return path, "already stored"
        meta = {"download_maxsize": self.max_bytes, "download_timeout": self.timeout}
        request = Request(url, meta=meta, callback=NO_CALLBACK)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            return None, download_failure(exc, self.timeout)
        if response.status != 200:
            return None, f"HTTP {response.status}"
        try:
            # In the reactor's thread, as Scrapy's ImagesPipeline does: a JPEG is not decoded
            # (other formats are, within IMAGES_MAX_PIXELS), and handing each picture to a
            # worker thread cost more than checking it
            self.check_and_store(response.body, target)
        except ValueError as exc:
            return None, str(exc)
        return path, "downloaded"

    def check_and_store(self, data: bytes, target) -> None:
        self.check_image(data)
        write_atomic(target, data)

    def check_image(self, data: bytes) -> None:
        """ValueError for what is not a whole image, or one too large to open safely."""
        if not data:
            raise ValueError("empty response")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    width, height = image.size
                    if width * height > self.max_pixels:
                        raise ValueError(f"image too large: {width}x{height} pixels")
                    # MPO: JPEG pictures one after another (Pillow decodes only the first)
                    if image.format in ("JPEG", "MPO"):
                        # Pillow reads the headers up to the picture's first scan (its tile),
                        # and stops there: no tile, the file ends before the scan
                        if not image.tile or not _is_whole_jpeg(data):
                            raise ValueError("not a valid image: the JPEG is cut short")
                    else:
                        image.load()
        except ValueError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(f"image too large: {exc}") from None
        except UnidentifiedImageError:
            # Pillow's own message names the in-memory file object, not the image
            raise ValueError("not an image: no image format recognised") from None
        except Exception as exc:
            raise ValueError(f"not a valid image: {exc}") from None


def _is_whole_jpeg(data: bytes) -> bool:
    """The JPEG ends with its end-of-image marker after its last scan. A scan's coded data never
    holds that marker (an FF byte in it is followed by 00 or a restart marker), so a file cut
    anywhere lacks it. Not decoded: decoding a picture, even at 1/8 scale, cost about as much
    CPU as archiving its article, and it refuses little more than a file that ends early (the
    decoder conceals most corrupt data with warnings).

    Searched from each end rather than for the last scan's marker, which would read the whole
    scan backwards: the first scan's marker near the start, the end-of-image marker near the
    end, and no scan after it (an EXIF thumbnail holds a scan and an end-of-image marker of its
    own, before the picture's), nor the start of another picture (an MPO's next one)."""
    end = data.rfind(b"\xff\xd9")
    return (
        0 < data.find(b"\xff\xda") < end
        and data.find(b"\xff\xda", end) == -1
        and data.find(b"\xff\xd8", end) == -1
    )


class ArticleFilePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        """The archive made ready before the first article: an archive of an older layout
        upgraded (crawler/archive/upgrade.py). (The crawl command has removed the temporary
        files of a killed run.)"""
        archive_file(self.archive_dir, HOME).parent.mkdir(parents=True, exist_ok=True)
        store = ArchiveStore.of_crawler(self.crawler)
        upgrade_archive(self.archive_dir, store, public_url_of(self.crawler.settings))

    def process_item(self, item):
        adapter = ItemAdapter(item)
        # Links to other articles of the site point at their files when the archive has them
        archived = ArchiveStore.of_crawler(self.crawler).archived_links(adapter.get("markdown"))
        if archived:
            adapter["markdown"] = local_article_links(
                adapter["markdown"], adapter["path"], archived
            )
        record = record_of(item)
        public_url = public_url_of(self.crawler.settings)
        markdown_file = render_article(record, public_url).encode("utf-8")
        if write_if_changed(self.archive_dir, record["path"], markdown_file):
            self.stats.inc_value("ntd/files/articles_written")
        return item


class ArchiveRecordPipeline(_StorePipeline):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.job_key: str | None = None
        crawler.signals.connect(self.job_started, signal=signals.job_started)

    def job_started(self, job) -> None:
        self.job_key = job.key

    def process_item(self, item):
        adapter = ItemAdapter(item)
        record = record_of(item)
        if self.store.record(record["id"]) == record:
            if adapter.get("image_retry"):
                raise ArticleDropped(
                    ArticleDropped.IMAGE_STILL_MISSING, "its featured image failed again", "DEBUG"
                )
            # Fetched again (refresh) and nothing a reader would see changed
            self.stats.inc_value("ntd/articles/unchanged")
            raise ArticleDropped(ArticleDropped.UNCHANGED, "unchanged", "DEBUG")
        is_new = self.store.save(
            record, adapter["date"], content_hash(record), stored_json(record), self.job_key
        )
        adapter["outcome"] = "new" if is_new else "updated"
        self.stats.inc_value(f"ntd/articles/{adapter['outcome']}")
        return item


class ArticleBacklinksPipeline(_StorePipeline):
    """A newly archived article: the archived articles whose body links to it (at the site's
    address) now link to its file in the archive; their files and records are rewritten
    (their content is the same: the content hash ignores where a link points)."""

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("outcome") != "new":
            return item
        public_url = public_url_of(self.crawler.settings)
        relinked = relink_to(self.store, self.archive_dir, record_of(item), public_url)
        if relinked:
            self.stats.inc_value("ntd/files/articles_relinked", relinked)
        return item


class SharedArchivePipeline(_StorePipeline):
    """Distributed mode only: once an article is durably in this worker's store, tell the
    other workers (a set in Redis), so that none of them requests it again."""

    def process_item(self, item):
        self.store.commit()
        spider = self.crawler.spider
        spider.server.sadd(ARCHIVED_KEY, ItemAdapter(item)["id"])
        return item


class IndexPagesPipeline(_StorePipeline):
    """Index pages are made from the store alone, so they always agree with it; the store
    remembers which ones are stale, so a killed run's pages are rebuilt by the next one."""

    def close_spider(self, spider=None) -> None:
        written = rebuild_stale_pages(self.store, self.archive_dir)
        self.stats.inc_value("ntd/files/index_pages_written", written)
