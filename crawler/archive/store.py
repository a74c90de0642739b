"""The archive's memory: which articles are archived, their JSON records, and which index
pages need rebuilding. An SQLite file inside ARCHIVE_DIR (.state/archive.sqlite3)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scrapy import signals

from crawler.archive.files import sync_written_files
from crawler.archive.paths import shard
from crawler.archive.records import pictures_of
from crawler.crashpoints import crash_point

STATE_DIR = ".state"
SAVE_BATCH = 50
SAVE_BATCH_SECONDS = 2.0
STORE_FILE = "archive.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    day TEXT NOT NULL,
    published TEXT,
    title TEXT NOT NULL,
    section TEXT,
    path TEXT NOT NULL,
    image_url TEXT,
    image_path TEXT,
    content_hash TEXT NOT NULL,
    record TEXT NOT NULL,
    archived_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS articles_by_day ON articles (lang, day);
-- The ids of a day without reading the rows (each row holds a whole record)
CREATE INDEX IF NOT EXISTS article_ids_by_day ON articles (lang, day, id);
CREATE INDEX IF NOT EXISTS articles_by_section ON articles (section);
CREATE INDEX IF NOT EXISTS articles_by_published ON articles (published);
CREATE TABLE IF NOT EXISTS article_tags (
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX IF NOT EXISTS tags_by_name ON article_tags (name);
-- What the site's daily listings showed: every article of the range a listing linked to,
-- written when the listing page is parsed and before its article requests leave, so that an
-- article in flight when a run is killed is still known to the next run
CREATE TABLE IF NOT EXISTS listed_articles (
    id TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    day TEXT NOT NULL,
    url TEXT NOT NULL,
    listed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS listed_by_day ON listed_articles (lang, day, id);
-- Days whose listing was read to its last page (or that had no stories), and when
CREATE TABLE IF NOT EXISTS walked_days (
    lang TEXT NOT NULL,
    day TEXT NOT NULL,
    walked_at TEXT NOT NULL,
    PRIMARY KEY (lang, day)
);
-- The articles each unfinished resumable job archived or updated, in the order it did
CREATE TABLE IF NOT EXISTS job_articles (
    job TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (job, id)
);
-- Every tag name once: its shard folder and how many articles carry it (the most used tags
-- without counting the whole article_tags table)
CREATE TABLE IF NOT EXISTS tag_names (
    name TEXT PRIMARY KEY,
    shard TEXT NOT NULL,
    articles INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tag_names_by_shard ON tag_names (shard, name);
CREATE INDEX IF NOT EXISTS tag_names_by_use ON tag_names (articles DESC, name);
-- Links between articles: which articles link to an article (by its id), so that when it is
-- archived the bodies that link to it are made to link to its file (a lookup, not a scan)
CREATE TABLE IF NOT EXISTS article_links (
    to_id TEXT NOT NULL,
    from_id TEXT NOT NULL,
    PRIMARY KEY (to_id, from_id)
);
CREATE TABLE IF NOT EXISTS archive_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stale_pages (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
"""


@dataclass(frozen=True)
class ArticleRow:
    """What index pages show of an article."""

    id: str
    lang: str
    day: str
    published: str | None
    title: str
    section: str | None
    path: str


@dataclass(frozen=True)
class ArticleState:
    content_hash: str
    image_missing: bool  # it has a featured image that is not stored


_ROW_COLUMNS = "id, lang, day, published, title, section, path"
# A body's link to an article at the site's address: ](https://www.ntdtv.com/gb/…/a1.html)
_SITE_ARTICLE_LINK_RE = re.compile(
    r"\]\((https?://[^)\s]+/(?:gb|b5)/\d{4}/\d{2}/\d{2}/(a\d+)\.html)\)"
)
# The id of an article a body links to, as the site's address or as its file in the archive
_LINKED_ID_RE = re.compile(r"\]\((?:[^)\s]*/)?(a\d+)\.(?:html|md)\)")
# The store's schema. 1: the first; 2: tags and sections paged by month, in-body images.
SCHEMA_VERSION = 2
# The files' layout (archive_meta 'layout'): an archive of an older layout is converted by
# crawler/archive/upgrade.py
LAYOUT_VERSION = 2
_VERSION_2 = """
ALTER TABLE articles ADD COLUMN missing_images INTEGER NOT NULL DEFAULT 0;
ALTER TABLE article_tags ADD COLUMN day TEXT;
UPDATE articles SET missing_images = (image_url IS NOT NULL AND image_path IS NULL);
UPDATE article_tags SET day = (SELECT day FROM articles WHERE id = article_id);
INSERT OR REPLACE INTO tag_names (name, shard, articles)
    SELECT name, tag_shard(name), count(*) FROM article_tags GROUP BY name;
"""
_VERSION_2_INDEXES = """
CREATE INDEX IF NOT EXISTS tags_by_name_day ON article_tags (name, day);
CREATE INDEX IF NOT EXISTS articles_by_section_day ON articles (section, day);
"""


def store_path(archive_dir: str | Path) -> Path:
    return Path(archive_dir) / STATE_DIR / STORE_FILE


class ArchiveStore:
    def __init__(self, path: str | Path, sync_files: bool = True) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Before each commit, the files written since the last one are put on disk (syncfs):
        # a power cut never leaves a record whose files are not there (ARCHIVE_SYNC)
        self.sync_files = sync_files
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL, not FULL: in WAL mode a power cut may lose the last commits (never a part of
        # one: the log's frames are checksummed in a chain, so what survives is a prefix of the
        # commits), and a lost record only means its article is fetched again and its files,
        # already on disk, found right. FULL would add an fsync to every commit
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.create_function("tag_shard", 1, shard, deterministic=True)
        self._pending = 0
        self._batch_started = 0.0
        # Index pages that the uncommitted saves made stale (written to stale_pages at commit)
        self._stale_marks: set[tuple[str, str]] = set()
        self._migrate()

    def _migrate(self) -> None:
        """Create the schema, or bring a store of an older version to this one (in one
        transaction: a killed migration is redone by the next open)."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            self.db.executescript(_SCHEMA)
            return
        # An archive of the first layout has articles; an empty table is a new archive whose
        # first migration was killed
        existed = self.db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
        ).fetchone()[0] and self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        self.db.executescript(_SCHEMA)
        with self._transaction():
            if existed:
                for statement in filter(str.strip, _VERSION_2.split(";")):
                    self.db.execute(statement)
            else:
                for statement in _VERSION_2.split(";")[:2]:  # the new columns
                    self.db.execute(statement)
            for statement in filter(str.strip, _VERSION_2_INDEXES.split(";")):
                self.db.execute(statement)
            layout = "1" if existed else str(LAYOUT_VERSION)
            self.db.execute(
                "INSERT OR IGNORE INTO archive_meta (key, value) VALUES ('layout', ?)", (layout,)
            )
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def layout_version(self) -> int:
        row = self.db.execute("SELECT value FROM archive_meta WHERE key = 'layout'").fetchone()
        return int(row[0]) if row else LAYOUT_VERSION

    def set_layout_version(self, version: int) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO archive_meta (key, value) VALUES ('layout', ?)",
                (str(version),),
            )

    @classmethod
    def in_archive(cls, archive_dir: str | Path, sync_files: bool = True) -> ArchiveStore:
        return cls(store_path(archive_dir), sync_files)

    @classmethod
    def of_crawler(cls, crawler) -> ArchiveStore:
        """The one store of a crawl, shared by its middlewares, pipelines and extensions (one
        connection: several would each reread what the others commit), closed when the spider
        closes."""
        store = crawler.__dict__.get("_ntd_archive_store")
        if store is None:
            store = crawler.__dict__["_ntd_archive_store"] = cls.in_archive(
                crawler.settings["ARCHIVE_DIR"], crawler.settings.getbool("ARCHIVE_SYNC", True)
            )

            def close(spider=None) -> None:
                crawler.__dict__.pop("_ntd_archive_store", None)
                store.close()

            crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
        return store

    def close(self) -> None:
        self.commit()
        self.db.close()

    def commit(self) -> None:
        """Make the saves so far durable (they are also committed in batches as they come)."""
        if self.db.in_transaction:
            self._write_stale_marks()
            if self._pending:  # saves of articles: their files first
                self._sync_files()
            self.db.execute("COMMIT")
        self._pending = 0
        self._batch_started = 0.0

    # -- what is archived -------------------------------------------------------------------

    def article_state(self, article_id: str) -> ArticleState | None:
        row = self.db.execute(
            "SELECT content_hash, missing_images > 0 FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        return ArticleState(row[0], bool(row[1])) if row else None

    def linking_to(self, article_id: str) -> list[str]:
        """The ids of the archived articles whose body links to this article."""
        rows = self.db.execute("SELECT from_id FROM article_links WHERE to_id = ?", (article_id,))
        return [r[0] for r in rows]

    def paths_of(self, article_ids: list[str]) -> dict[str, str]:
        """id -> archive path of those of these articles that are archived."""
        found = {}
        for article_id in article_ids:
            row = self.db.execute(
                "SELECT path FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row:
                found[article_id] = row[0]
        return found

    def archived_links(self, markdown: str | None) -> dict[str, str]:
        """A body's links to articles at the site's address that the archive has: address ->
        archive path of the article's file."""
        linked = dict(_SITE_ARTICLE_LINK_RE.findall(markdown or ""))
        paths = self.paths_of(list(linked.values()))
        return {url: paths[i] for url, i in linked.items() if i in paths}

    def day_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT day FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def records_with_failed_image(self, lang: str, first_day: str, last_day: str) -> list[dict]:
        """Archived articles of these days with a picture (featured or in the body) that could
        not be stored."""
        rows = self.db.execute(
            "SELECT record, day FROM articles WHERE lang = ? AND day BETWEEN ? AND ? "
            "AND missing_images > 0 ORDER BY day, id",
            (lang, first_day, last_day),
        )
        return [{**json.loads(record), "date": day} for record, day in rows]

    def archived_ids(self, lang: str, day: str) -> set[str]:
        rows = self.db.execute("SELECT id FROM articles WHERE lang = ? AND day = ?", (lang, day))
        return {r[0] for r in rows}

    def record(self, article_id: str) -> dict | None:
        row = self.db.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def save(
        self,
        record: dict,
        day: str,
        content_hash: str,
        record_json: str,
        job: str | None = None,
    ) -> bool:
        """Record an article (after its files are on disk); True if it was new. `record_json`
        is the record as records.stored_json encodes it; `job`, the key of the resumable job
        that archived it (crawler/job.py).
        The index pages that show it, before and after, are marked for rebuilding.

        Saves are committed in batches (SAVE_BATCH articles or SAVE_BATCH_SECONDS): a crash
        loses at most the last batch of records, never a file, and the next run fetches those
        articles again and finds their files already right."""
        featured = record.get("featured_image") or {}
        missing = sum(1 for p in pictures_of(record) if p.get("url") and not p.get("path"))
        article_id, lang = record["id"], record["lang"]
        with self._batch():
            old = self.db.execute(
                "SELECT lang, day, section FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            old_tags = (
                [
                    r[0]
                    for r in self.db.execute(
                        "SELECT name FROM article_tags WHERE article_id = ?", (article_id,)
                    )
                ]
                if old
                else []
            )
            new_day = not self.db.execute(
                "SELECT 1 FROM articles WHERE lang = ? AND day = ? LIMIT 1", (lang, day)
            ).fetchone()
            self.db.execute(
                """INSERT INTO articles (id, lang, day, published, title, section, path,
                       image_url, image_path, content_hash, record, missing_images)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                       lang = excluded.lang, day = excluded.day, published = excluded.published,
                       title = excluded.title, section = excluded.section, path = excluded.path,
                       image_url = excluded.image_url, image_path = excluded.image_path,
                       content_hash = excluded.content_hash, record = excluded.record,
                       missing_images = excluded.missing_images,
                       updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
                (
                    article_id,
                    lang,
                    day,
                    record.get("published"),
                    record["title"],
                    record.get("section"),
                    record["path"],
                    featured.get("url"),
                    featured.get("path"),
                    content_hash,
                    record_json,
                    missing,
                ),
            )
            tag_names = list(dict.fromkeys(t["name"] for t in record.get("tags") or []))
            dropped_tags = self._count_tags(old_tags, -1)
            if old:
                self.db.execute("DELETE FROM article_tags WHERE article_id = ?", (article_id,))
            self.db.executemany(
                "INSERT INTO article_tags (article_id, position, name, day) VALUES (?, ?, ?, ?)",
                [(article_id, i, name, day) for i, name in enumerate(tag_names)],
            )
            new_tags = self._count_tags(tag_names, +1)
            self.db.executemany(
                "INSERT OR IGNORE INTO article_links (to_id, from_id) VALUES (?, ?)",
                [
                    (to_id, article_id)
                    for to_id in _LINKED_ID_RE.findall(record.get("markdown") or "")
                ],
            )
            stale = self._pages_showing(lang, day, record.get("section"), tag_names)
            stale |= {("tags-shard", shard(name)) for name in new_tags + dropped_tags}
            if old:
                stale |= self._pages_showing(old[0], old[1], old[2], old_tags)
                if (old[0], old[1]) != (lang, day):
                    # Moved to another day: its old day's neighbours may now skip that day
                    stale |= {("day", f"{old[0]}/{d}") for d in self.neighbour_days(*old[:2]) if d}
            if new_day:
                # Its neighbours' previous / next links now lead to it
                stale |= {("day", f"{lang}/{d}") for d in self.neighbour_days(lang, day) if d}
            # Recorded with the batch's commit: the articles of a batch share most of their pages
            self._stale_marks |= stale
            if job is not None:
                self.db.execute(
                    "INSERT OR IGNORE INTO job_articles (job, id) VALUES (?, ?)",
                    (job, record["id"]),
                )
            crash_point("store:save")
        return old is None

    def _count_tags(self, names: list[str], change: int) -> list[str]:
        """Add `change` (+1 or -1) to the use counts of these tags (each once); the names that
        appeared (count from 0 to 1) or disappeared (to 0): their shard's list of tags changes.
        Two statements whatever the number of tags."""
        if not names:
            return []
        counts = dict(
            self.db.execute(
                f"SELECT name, articles FROM tag_names WHERE name IN ({','.join('?' * len(names))})",
                names,
            )
        )
        if change > 0:
            self.db.executemany(
                "INSERT INTO tag_names (name, shard, articles) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET articles = articles + excluded.articles",
                [(name, shard(name), change) for name in names],
            )
            return [name for name in names if not counts.get(name)]
        counted = [name for name in names if name in counts]
        self.db.executemany(
            "UPDATE tag_names SET articles = articles + ? WHERE name = ?",
            [(change, name) for name in counted],
        )
        return [name for name in counted if counts[name] + change == 0]

    @staticmethod
    def _pages_showing(lang: str, day: str, section: str | None, tags: list[str]) -> set:
        """The index pages that list an article of this day, section and tags."""
        month = day[:7]
        pages = {
            ("home", ""),
            ("day", f"{lang}/{day}"),
            ("month", f"{lang}/{month}"),
            ("tags-index", ""),
        }
        for name in tags:
            pages |= {("tag", name), ("tag-month", f"{month} {name}")}
        if section:
            pages |= {("section", section), ("section-month", f"{month} {section}")}
            pages.add(("sections-index", ""))
        return pages

    # -- what the listings showed -----------------------------------------------------------

    def record_listing(self, listed: Iterable[tuple[str, str, str, str]]) -> None:
        """Remember (id, lang, day, url) of listed articles, durably, before they are requested."""
        with self._transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO listed_articles (id, lang, day, url) VALUES (?, ?, ?, ?)",
                listed,
            )

    def mark_day_walked(self, lang: str, day: str, when: str) -> None:
        """The day's listing was read to its end at `when` (ISO 8601 UTC)."""
        with self._transaction():
            self.db.execute(
                "INSERT INTO walked_days (lang, day, walked_at) VALUES (?, ?, ?) "
                "ON CONFLICT (lang, day) DO UPDATE SET walked_at = excluded.walked_at",
                (lang, day, when),
            )

    def days_walked_since(self, lang: str, first: str, last: str, since: str) -> set[str]:
        rows = self.db.execute(
            "SELECT day FROM walked_days WHERE lang = ? AND day BETWEEN ? AND ? AND walked_at >= ?",
            (lang, first, last, since),
        )
        return {r[0] for r in rows}

    def listed_ids(self, lang: str, day: str) -> set[str]:
        rows = self.db.execute(
            "SELECT id FROM listed_articles WHERE lang = ? AND day = ?", (lang, day)
        )
        return {r[0] for r in rows}

    def listed_not_archived(self, lang: str, first: str, last: str) -> list[tuple[str, str]]:
        """(day, url) of the articles of these days that a listing showed and that are not
        archived, by day then id."""
        return self.db.execute(
            "SELECT l.day, l.url FROM listed_articles AS l "
            "WHERE l.lang = ? AND l.day BETWEEN ? AND ? "
            "AND NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.id = l.id) "
            "ORDER BY l.day, l.id",
            (lang, first, last),
        ).fetchall()

    # -- index pages ------------------------------------------------------------------------

    def _write_stale_marks(self) -> None:
        if self._stale_marks:
            self.db.executemany(
                "INSERT OR IGNORE INTO stale_pages (kind, key) VALUES (?, ?)",
                sorted(self._stale_marks),
            )
            self._stale_marks.clear()

    def stale_pages(self) -> list[tuple[str, str]]:
        if self.db.in_transaction:
            self._write_stale_marks()
        return self.db.execute("SELECT kind, key FROM stale_pages ORDER BY kind, key").fetchall()

    def mark_fresh(self, pages: Iterable[tuple[str, str]]) -> None:
        with self._transaction(sync_files=True):  # the pages on disk before they count as fresh
            self.db.executemany("DELETE FROM stale_pages WHERE kind = ? AND key = ?", list(pages))

    def _rows(self, where: str, params: tuple = (), limit: int | None = None) -> list[ArticleRow]:
        sql = f"SELECT {_ROW_COLUMNS} FROM articles {where} ORDER BY published DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [ArticleRow(*r) for r in self.db.execute(sql, params)]

    def articles_on_day(self, lang: str, day: str) -> list[ArticleRow]:
        return self._rows("WHERE lang = ? AND day = ?", (lang, day))

    def neighbour_days(self, lang: str, day: str) -> tuple[str | None, str | None]:
        """The archived days before and after this one (None at either end)."""
        before = self.db.execute(
            "SELECT max(day) FROM articles WHERE lang = ? AND day < ?", (lang, day)
        ).fetchone()[0]
        after = self.db.execute(
            "SELECT min(day) FROM articles WHERE lang = ? AND day > ?", (lang, day)
        ).fetchone()[0]
        return before, after

    def days_of_month(self, lang: str, month: str) -> list[tuple[str, int]]:
        """(day, articles) of a month ('YYYY-MM'), newest first."""
        return self.db.execute(
            "SELECT day, count(*) FROM articles WHERE lang = ? AND day BETWEEN ? AND ? "
            "GROUP BY day ORDER BY day DESC",
            (lang, f"{month}-00", f"{month}-99"),
        ).fetchall()

    def months(self) -> list[tuple[str, str, int]]:
        """(lang, month, articles), newest month first."""
        return self.db.execute(
            "SELECT lang, substr(day, 1, 7) AS month, count(*) FROM articles "
            "GROUP BY lang, month ORDER BY month DESC, lang"
        ).fetchall()

    def section_months(self, section: str) -> list[tuple[str, int]]:
        return self.db.execute(
            "SELECT substr(day, 1, 7) AS month, count(*) FROM articles WHERE section = ? "
            "GROUP BY month ORDER BY month DESC",
            (section,),
        ).fetchall()

    def articles_in_section_month(self, section: str, month: str) -> list[ArticleRow]:
        return self._rows(
            "WHERE section = ? AND day BETWEEN ? AND ?", (section, f"{month}-00", f"{month}-99")
        )

    def tag_months(self, name: str) -> list[tuple[str, int]]:
        return self.db.execute(
            "SELECT substr(day, 1, 7) AS month, count(*) FROM article_tags WHERE name = ? "
            "GROUP BY month ORDER BY month DESC",
            (name,),
        ).fetchall()

    def articles_with_tag_in_month(self, name: str, month: str) -> list[ArticleRow]:
        return self._rows(
            "WHERE id IN (SELECT article_id FROM article_tags "
            "WHERE name = ? AND day BETWEEN ? AND ?)",
            (name, f"{month}-00", f"{month}-99"),
        )

    def tags_in_shard(self, shard_name: str) -> list[str]:
        rows = self.db.execute(
            "SELECT name FROM tag_names WHERE shard = ? AND articles > 0 ORDER BY name",
            (shard_name,),
        )
        return [r[0] for r in rows]

    def mark_tag_shards_stale(self) -> None:
        """Every tag shard's list to be rebuilt (saving an article marks a shard only when it
        brings a new tag)."""
        with self._transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO stale_pages (kind, key) "
                "SELECT 'tags-shard', shard FROM tag_names WHERE articles > 0"
            )

    def tag_shards(self) -> list[tuple[str, int]]:
        """(shard, tags in it) of every shard folder in use."""
        return self.db.execute(
            "SELECT shard, count(*) FROM tag_names WHERE articles > 0 GROUP BY shard ORDER BY shard"
        ).fetchall()

    def newest(self, limit: int) -> list[ArticleRow]:
        return self._rows("", limit=limit)

    def sections(self) -> list[tuple[str, int]]:
        return self.db.execute(
            "SELECT section, count(*) FROM articles WHERE section IS NOT NULL "
            "GROUP BY section ORDER BY count(*) DESC, section"
        ).fetchall()

    def top_tags(self, limit: int) -> list[tuple[str, int]]:
        return self.db.execute(
            "SELECT name, articles FROM tag_names WHERE articles > 0 "
            "ORDER BY articles DESC, name LIMIT ?",
            (limit,),
        ).fetchall()

    def tag_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM tag_names WHERE articles > 0").fetchone()[0]

    # -- export -----------------------------------------------------------------------------

    def records_with_days(self) -> Iterator[tuple[dict, str]]:
        """Every record with its address date, by day then id."""
        for raw, day in self.db.execute("SELECT record, day FROM articles ORDER BY day, id"):
            yield json.loads(raw), day

    def job_records(self, job: str) -> list[dict]:
        """The records of the articles a job archived or updated, in the order it did."""
        rows = self.db.execute(
            "SELECT a.record FROM job_articles AS j JOIN articles AS a ON a.id = j.id "
            "WHERE j.job = ? ORDER BY j.rowid",
            (job,),
        )
        return [json.loads(raw) for (raw,) in rows]

    def forget_job(self, job: str) -> None:
        with self._transaction():
            self.db.execute("DELETE FROM job_articles WHERE job = ?", (job,))

    def records(self, start: str | None = None, end: str | None = None) -> Iterator[dict]:
        """JSON records of the archive, by address date then id, optionally for a date range."""
        sql = "SELECT record FROM articles WHERE day >= ? AND day <= ? ORDER BY day, lang, id"
        for (raw,) in self.db.execute(sql, (start or "0000-00-00", end or "9999-99-99")):
            yield json.loads(raw)

    @contextmanager
    def _transaction(self, sync_files: bool = False):
        """One transaction of its own, after committing the pending batch of saves;
        `sync_files`: what it records is about files written before it (put on disk first)."""
        self.commit()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        if sync_files:
            self._sync_files()
        self.db.execute("COMMIT")

    def _sync_files(self) -> None:
        """The archive's files written so far reach the disk before what the store says of
        them (docs/archive.md, "What a run guarantees")."""
        if self.sync_files:
            sync_written_files(self.path.parent.parent)

    @contextmanager
    def _batch(self):
        """One article's save inside the open batch: a save that fails is undone alone (a
        savepoint), and the batch's earlier saves, whose files are on disk, stay."""
        if not self.db.in_transaction:
            # Each save's savepoint journals the pages it changes, in a temporary file once
            # past 64 KiB (dozens of system calls a save): in memory instead, a save's pages at
            # most. SQLite places that journal when the transaction begins; other temporary
            # storage stays on disk (an export's sort of every record would not fit in memory).
            # (Changing temp_store drops TEMP tables: the store has none.)
            self.db.execute("PRAGMA temp_store=MEMORY")
            try:
                self.db.execute("BEGIN IMMEDIATE")
            finally:
                self.db.execute("PRAGMA temp_store=DEFAULT")
            self._batch_started = time.monotonic()
        self.db.execute("SAVEPOINT article")
        try:
            yield
        except BaseException:
            try:
                self.db.execute("ROLLBACK TO article")
                self.db.execute("RELEASE article")
            except sqlite3.Error:  # the transaction itself is gone (SQLite ended it)
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                self._pending = 0
                self._stale_marks.clear()
            raise
        self.db.execute("RELEASE article")
        self._pending += 1
        if (
            self._pending >= SAVE_BATCH
            or time.monotonic() - self._batch_started >= SAVE_BATCH_SECONDS
        ):
            self.commit()
