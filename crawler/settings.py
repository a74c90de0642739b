"""Settings of the NTD archive crawler. Every one can be overridden with `-s NAME=value`;
the project's own also from the environment (NTD_SITE_URL, NTD_ARCHIVE_DIR)."""

import os

from crawler.items import EXPORTED_FIELDS

BOT_NAME = "ntd_archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# -- the project's own -------------------------------------------------------------------
SITE_URL = os.environ.get("NTD_SITE_URL", "https://www.ntdtv.com")
ARCHIVE_DIR = os.environ.get("NTD_ARCHIVE_DIR", "archive")
# Featured images larger than this many pixels are refused (decompression bombs)
IMAGES_MAX_PIXELS = 60_000_000
# …or larger than this many bytes
IMAGES_MAX_BYTES = 30 * 1024 * 1024
# …or slower than this many seconds to arrive
IMAGES_TIMEOUT = 60
# Put the archive's files on disk (one syncfs per batch of saves) before the store records
# them, so that a power cut costs at most the last batch; False only for throwaway archives
ARCHIVE_SYNC = True
# Archive and article pages larger than this are refused (a real one is under 1 MiB)
PAGE_MAX_BYTES = 5 * 1024 * 1024
# Every listing and article response is kept as fetched, in WARC files under
# ARCHIVE_DIR/.state/raw-pages/ (docs/raw-pages.md); `scrapy reextract` rebuilds articles from them
RAW_PAGES = True
# Processes of `scrapy reextract` over ranges of more than one day; 0: one per core
REEXTRACT_PROCESSES = 0
# Publishing (docs/publishing.md): a git remote URL (may carry a token; never printed); empty:
# no publishing. With it, every run ends by committing ARCHIVE_DIR and pushing PUBLISH_BRANCH
PUBLISH_REMOTE = os.environ.get("NTD_PUBLISH_REMOTE", "")
PUBLISH_BRANCH = "main"
# The address the published pages are read at (https://github.com/<owner>/<repo>/blob/main/):
# set, each article gets a QR code of its own address; empty: none
PUBLIC_URL = ""
# `scrapy site` (docs/website.md): the static HTML site with search, built from ARCHIVE_DIR;
# outside the archive (env NTD_SITE_DIR)
SITE_DIR = os.environ.get("NTD_SITE_DIR", "site")

# -- politeness --------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = "ntd-archive/0.1 (+https://github.com/ntd-archive/ntd-archive; archival crawler)"
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = False
# The spider yields one item per article page: Scrapy's default of 100 parallel item slots per
# response only costs 100 asyncio tasks per page
CONCURRENT_ITEMS = 16
TELNETCONSOLE_ENABLED = False

# -- the pipeline ------------------------------------------------------------------------
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.RetryFailedImagesMiddleware": 560,
}
DOWNLOADER_MIDDLEWARES = {
    # Next to the downloader: responses as they arrived, before decompression and redirects
    "crawler.rawpages.capture.RawPagesMiddleware": 950,
}
EXTENSIONS = {
    # A full disk stops the run at once, in one log line (exit status 7)
    "crawler.faults.DiskFullGuard": 100,
    "crawler.report.RunReport": 500,
    "crawler.progress.ProgressLog": 510,
    "crawler.jobfeed.ResumedJobFeed": 520,
    # PUBLISH_REMOTE set: commit and push the archive at the end of the run (exit status 6)
    "crawler.publish.Publisher": 530,
}
# A progress line (days walked, articles archived of listed, failures, rate, time left) every
# this many seconds, and one at the end; 0: none
PROGRESS_INTERVAL = 60.0
# Scrapy's remote control runs Python code sent to it over HTTP, and writes its port and token
# to a file outside the archive: not for an unattended crawler
REMOTE_CONTROL_ENABLED = False
ITEM_PIPELINES = {
    "crawler.pipelines.ValidateArticlePipeline": 100,
    "crawler.pipelines.DeduplicateArticlesPipeline": 200,
    "crawler.pipelines.ArticleHistoryPipeline": 250,
    "crawler.pipelines.ArticleImagesPipeline": 300,
    "crawler.pipelines.ArticleFilePipeline": 400,
    "crawler.qrcodes.ArticleQRCodePipeline": 450,
    "crawler.pipelines.ArchiveRecordPipeline": 500,
    "crawler.pipelines.ArticleBacklinksPipeline": 520,
    "crawler.pipelines.IndexPagesPipeline": 600,
}
# -- outputs -----------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(EXPORTED_FIELDS)
FEED_EXPORTERS = {
    name: "crawler.exporters.ArticleJsonLinesExporter" for name in ("jsonlines", "jsonl", "jl")
}

LOG_FORMATTER = "crawler.logformatter.ArchiveLogFormatter"
LOG_LEVEL = os.environ.get("NTD_LOG_LEVEL", "INFO")

# -- resumable runs (JOBDIR) -------------------------------------------------------------
# A resumed job continues from the store, not from Scrapy's disk queue (crawler/scheduler.py)
SCHEDULER = "crawler.scheduler.InMemoryScheduler"
