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
    jobs = [pool.extract(r, parse_article_url(r.url), SITE, HOSTS) for r in responses]
    return [dict(item) for item in await asyncio.gather(*jobs)]


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
