"""The request queue of a crawl: Scrapy's scheduler, with its queue in memory even under JOBDIR.

Scrapy's disk queue keeps what is queued, not what is in flight: requests taken from it when a
run is killed exist only in the killed process, and the queue's index of priorities is written
only at a clean close. A resumed job of this crawler needs nothing from it: the store knows
every day's listing and what is archived (crawler/job.py), so the queue would only make a
resumed job fetch listing pages twice."""

from __future__ import annotations

from scrapy.core.scheduler import Scheduler


class InMemoryScheduler(Scheduler):
    def __init__(self, dupefilter, jobdir: str | None = None, **kwargs) -> None:
        super().__init__(dupefilter, jobdir=None, **kwargs)
