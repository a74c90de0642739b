"""Extraction in worker processes (crawler/extraction.py): real child processes, real pages.
Whatever happens to a worker, every article comes out exactly as the crawl's own process
extracts it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from crawler.extraction import MAX_RESTARTS, ExtractionPool
from crawler.loaders import load_article
from crawler.pages import render_article
from crawler.paths import image_path
from crawler.records import content_hash, prepared_record, record_of, stored_json
from crawler.siteurls import parse_article_url
from tests.test_loaders import SITE, SOURCES, _page

HOSTS = frozenset({"127.0.0.1"})
RESPONSES = [_page(source)[1] for source in SOURCES[:12]]


class Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count


def in_process(response):
    return dict(load_article(response, parse_article_url(response.url), SITE, HOSTS))


async def extract_all(pool: ExtractionPool, responses) -> list[dict]:
    """The items, without what the worker prepares ahead (checked on its own below)."""
    jobs = [pool.extract(r, parse_article_url(r.url), SITE, HOSTS) for r in responses]
    return [
        {k: v for k, v in item.items() if k != "prepared"} for item in await asyncio.gather(*jobs)
    ]


def test_worker_extracts_exactly_what_the_crawl_process_does():
    stats = Stats()

    async def run():
        pool = ExtractionPool(1, stats)
        try:
            items = await extract_all(pool, RESPONSES)
            pids = [w.process.pid for w in pool.workers]
        finally:
            pool.close()
        return items, pids

    items, pids = asyncio.run(run())
    assert items == [in_process(r) for r in RESPONSES]
    assert len(pids) == 1 and pids[0] != os.getpid()
    assert "ntd/extraction/in_process" not in stats


def test_the_worker_prepares_the_file_of_the_article_with_its_image_stored():
    async def run():
        pool = ExtractionPool(1)
        try:
            jobs = [pool.extract(r, parse_article_url(r.url), SITE, HOSTS) for r in RESPONSES]
            return await asyncio.gather(*jobs)
        finally:
            pool.close()

    items = asyncio.run(run())
    assert sum(1 for item in items if item["featured_image"]) >= len(items) // 2
    for item in items:
        prepared = item["prepared"]
        image = item["featured_image"]
        if image:  # as the image pipeline leaves it once the image is on disk
            item["featured_image"] = {**image, "path": image_path(image["url"])}
        record = record_of(item)
        assert prepared.record == record
        assert prepared_record(item) is prepared  # used as it is: nothing made again
        assert prepared.markdown_file == render_article(record).encode()
        assert prepared.content_hash == content_hash(record)
        assert prepared.stored_json == stored_json(record)


def test_what_the_worker_prepared_is_made_again_when_the_image_fails():
    async def run():
        pool = ExtractionPool(1)
        try:
            return await pool.extract(
                RESPONSES[0], parse_article_url(RESPONSES[0].url), SITE, HOSTS
            )
        finally:
            pool.close()

    item = asyncio.run(run())
    assert item["featured_image"]["path"] is None
    record = record_of(item)
    prepared = prepared_record(item)
    assert prepared is not None and prepared.record == record
    assert prepared.markdown_file == render_article(record).encode()
    assert image_path(item["featured_image"]["url"]) not in prepared.markdown_file.decode()
    assert item["featured_image"]["url"] in prepared.markdown_file.decode()


def test_a_killed_worker_loses_no_article_and_is_replaced():
    stats = Stats()

    async def run():
        pool = ExtractionPool(1, stats)
        try:
            first = await extract_all(pool, RESPONSES[:4])
            killed = pool.workers[0].process.pid
            os.kill(killed, signal.SIGKILL)
            # Jobs sent while the worker dies: answered in this process
            second = await extract_all(pool, RESPONSES[4:8])
            await asyncio.sleep(0.2)
            third = await extract_all(pool, RESPONSES[8:])
            replacement = pool.workers[0].process.pid
            restarts = pool.restarts
        finally:
            pool.close()
        return first + second + third, killed, replacement, restarts

    items, killed, replacement, restarts = asyncio.run(run())
    assert items == [in_process(r) for r in RESPONSES]
    assert replacement != killed and restarts == 1
    # Some of the four jobs sent after the kill went to the dead worker before its end was seen
    assert 1 <= stats["ntd/extraction/worker_lost"] <= 4
    assert stats["ntd/extraction/in_process"] == stats["ntd/extraction/worker_lost"]


def test_an_error_in_the_worker_surfaces_as_in_the_crawl_process():
    stats = Stats()
    response = RESPONSES[0]

    async def run():
        pool = ExtractionPool(1, stats)
        try:
            # No address: load_article fails on it, in the worker and then here
            await pool.extract(response, None, SITE, HOSTS)
        finally:
            pool.close()

    with pytest.raises(AttributeError, match="archive_path"):
        asyncio.run(run())
    assert stats == {"ntd/extraction/worker_errors": 1, "ntd/extraction/in_process": 1}


def test_workers_that_cannot_run_leave_extraction_in_process(caplog):
    stats = Stats()

    async def run():
        # A "worker" that exits at once, as one would whose imports fail
        pool = ExtractionPool(1, stats, command=[sys.executable, "-c", "raise SystemExit(3)"])
        try:
            items = []
            for response in RESPONSES:
                items += await extract_all(pool, [response])
            return items, pool.restarts
        finally:
            pool.close()

    items, restarts = asyncio.run(run())
    assert items == [in_process(r) for r in RESPONSES]
    assert restarts == MAX_RESTARTS + 1
    assert stats["ntd/extraction/in_process"] == len(RESPONSES)
    assert "Extraction worker exited (code 3); extracting in-process" in caplog.text


def test_no_processes_means_no_worker():
    async def run():
        pool = ExtractionPool(0)
        items = await extract_all(pool, RESPONSES[:2])
        return items, pool.workers

    items, workers = asyncio.run(run())
    assert items == [in_process(r) for r in RESPONSES[:2]] and workers == []
