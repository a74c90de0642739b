"""The WARC files that hold the pages as fetched: where they are, appending a fetched page to
them, repairing what a killed run left, and reading the stored pages back.

ARCHIVE_DIR/.state/raw-pages/<lang>/<yyyy>/<mm>/<dd>.warc.gz holds the listing and article
pages of one address day (US Eastern, as in the site's addresses), from every run that fetched
them: a run appends, nothing is ever rewritten. Each WARC 1.1 record is its own gzip member,
the request record after its response record, both written with one system call."""

from __future__ import annotations

import datetime as dt
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler.archive.store import STATE_DIR
from crawler.site.urls import archive_day_of, parse_article_url

RAW_PAGES_DIR = f"{STATE_DIR}/raw-pages"
# The files the running crawl appends to, one a line; a killed run leaves it behind, and the
# next one checks those files (reading every file of the archive at each start would cost
# more than the crawl as the archive grows)
WRITING_LIST = "writing"
# zlib's fastest level: much less CPU than warcio's level 9 for a few per cent more bytes
GZIP_LEVEL = 1
# At most this many day files open at once (a backfill of years walks days in order)
MAX_OPEN_FILES = 32
SOFTWARE = "ntd-archive (Scrapy); docs/raw-pages.md"


def raw_pages_dir(archive_dir: str | Path) -> Path:
    return Path(archive_dir, RAW_PAGES_DIR)


def day_file(archive_dir: str | Path, lang: str, day: dt.date) -> Path:
    return raw_pages_dir(archive_dir) / lang / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}.warc.gz"


def day_of_page(url: str) -> tuple[str, dt.date] | None:
    """(lang, address day) of a listing or article address; None for any other page."""
    address = parse_article_url(url)
    if address is not None:
        return address.lang, address.date
    return archive_day_of(url)


def stored_days(archive_dir: str | Path, first: dt.date | None, last: dt.date | None):
    """(lang, day, file) of every day file, optionally inside a range, by day then lang."""
    found = []
    for path in raw_pages_dir(archive_dir).glob("*/[0-9][0-9][0-9][0-9]/[0-9][0-9]/*.warc.gz"):
        lang, year, month = path.parts[-4:-1]
        try:
            day = dt.date(int(year), int(month), int(path.name[:2]))
        except ValueError:
            continue
        if (first is None or first <= day) and (last is None or day <= last):
            found.append((day, lang, path))
    return [(lang, day, path) for day, lang, path in sorted(found)]


def _gzip_member(data: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


class WarcDayFiles:
    """The day files one run appends to."""

    def __init__(self, archive_dir: str | Path) -> None:
        self.dir = raw_pages_dir(archive_dir)
        self.open_files: dict[Path, int] = {}
        self.buffer = io.BytesIO()
        # Records are made by warcio uncompressed, and compressed here (GZIP_LEVEL)
        self.writer = WARCWriter(self.buffer, gzip=False, warc_version="1.1")

    def _serialized(self, record) -> bytes:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.write_record(record)
        return _gzip_member(self.buffer.getvalue())

    def write_page(
        self,
        path: Path,
        url: str,
        fetched: dt.datetime,
        request_head: StatusAndHeaders,
        response_head: StatusAndHeaders,
        body: bytes,
        ip_address: str | None = None,
    ) -> int:
        """Append a fetched page (response and request records); the bytes written."""
        # warcio writes a naive datetime as UTC
        date = datetime_to_iso_date(
            fetched.astimezone(dt.UTC).replace(tzinfo=None), use_micros=True
        )
        warc_headers = {"WARC-Date": date}
        if ip_address:
            warc_headers["WARC-IP-Address"] = ip_address
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=response_head,
            warc_headers_dict=warc_headers,
        )
        request = self.writer.create_warc_record(
            url,
            "request",
            http_headers=request_head,
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        data = self._serialized(response) + self._serialized(request)
        fd = self._fd(path)
        _write_all(fd, data)
        return len(data)

    def _fd(self, path: Path) -> int:
        fd = self.open_files.get(path)
        if fd is not None:
            return fd
        if len(self.open_files) >= MAX_OPEN_FILES:
            os.close(self.open_files.pop(next(iter(self.open_files))))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Listed before the first byte goes in: a kill from here on leaves it to be checked
        with open(self.dir / WRITING_LIST, "a", encoding="utf-8") as writing:
            writing.write(f"{path.relative_to(self.dir)}\n")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if os.fstat(fd).st_size == 0:
            info = self.writer.create_warcinfo_record(
                path.name,
                {
                    "software": SOFTWARE,
                    "format": "WARC File Format 1.1",
                    "description": CAPTURE_NOTE,
                },
            )
            _write_all(fd, self._serialized(info))
        self.open_files[path] = fd
        return fd

    def close(self) -> None:
        for fd in self.open_files.values():
            os.close(fd)
        self.open_files.clear()
        (self.dir / WRITING_LIST).unlink(missing_ok=True)


CAPTURE_NOTE = (
    "Captured by Scrapy's downloader before its middlewares decompress or redirect: "
    "bodies are the bytes sent (Content-Encoding kept), less the chunked framing "
    "(Transfer-Encoding renamed X-Crawler-Transfer-Encoding); header names are as Scrapy "
    "normalises them (case, order, repeated names grouped), the status reason is the "
    "standard one, and the request headers are those Scrapy sent, with Host added."
)


def _write_all(fd: int, data: bytes) -> None:
    rest = memoryview(data)
    while rest:
        rest = rest[os.write(fd, rest) :]


# -- repair -----------------------------------------------------------------------------------


def whole_records_length(path: Path) -> int:
    """How many bytes from the start of the file hold whole gzip members, that is whole
    records: a record cut by a kill (or a full disk) is a member without its end."""
    whole = position = 0
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            while chunk:
                decompressor.decompress(chunk)
                if not decompressor.eof:
                    position += len(chunk)
                    break
                rest = decompressor.unused_data
                position += len(chunk) - len(rest)
                whole = position
                chunk = rest
                decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    return whole


def repair(path: Path) -> int:
    """Cut a record left incomplete at the end of a day file; the bytes cut."""
    size = path.stat().st_size
    whole = whole_records_length(path)
    if whole < size:
        os.truncate(path, whole)
    return size - whole


def repair_interrupted(archive_dir: str | Path) -> dict[str, int]:
    """Repair the files a killed run was appending to; {file: bytes cut} of those cut. Call it
    holding the archive's lock (crawler/archive/lock.py)."""
    folder = raw_pages_dir(archive_dir)
    writing = folder / WRITING_LIST
    if not writing.exists():
        return {}
    cut = {}
    for name in dict.fromkeys(writing.read_text("utf-8").split()):
        path = folder / name
        if path.exists() and (removed := repair(path)):
            cut[name] = removed
    writing.unlink()
    return cut


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPage:
    url: str
    fetched: str  # WARC-Date
    status: int
    # As Scrapy's HttpCompressionMiddleware hands them on: the Content-Encoding undone (by
    # warcio: gzip, deflate, br) and its header removed
    headers: list[tuple[str, str]]
    body: bytes


def stored_pages(path: Path) -> Iterator[StoredPage]:
    """The response records of a day file, in the order they were written."""
    with open(path, "rb") as file:
        for record in ArchiveIterator(file):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            http = record.http_headers
            encoding = (http.get_header("Content-Encoding") or "").lower()
            decoded = encoding in BufferedReader.get_supported_decompressors()
            yield StoredPage(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                fetched=record.rec_headers.get_header("WARC-Date"),
                status=int(http.get_statuscode()),
                headers=[
                    (name, value)
                    for name, value in http.headers
                    if not (decoded and name.lower() == "content-encoding")
                ],
                body=record.content_stream().read(),
            )


def first_record_id(path: Path) -> str | None:
    """The WARC-Record-ID of a day file's first record: it names the file's capture whatever
    is appended later, and copies of the file (scrapy merge) keep it."""
    with open(path, "rb") as file:
        for record in ArchiveIterator(file):
            return record.rec_headers.get_header("WARC-Record-ID")
    return None


def latest_pages(path: Path) -> dict[str, StoredPage]:
    """Each address's page as last fetched with a 200, else as last fetched."""
    latest: dict[str, StoredPage] = {}
    for page in stored_pages(path):
        kept = latest.get(page.url)
        if kept is None or page.status == 200 or kept.status != 200:
            latest[page.url] = page
    return latest
