"""A resumable job (`-s JOBDIR=…`): what the crawler keeps in JOBDIR to know that a run continues
an interrupted one, and since when.

A job's progress itself lives in the archive's store, written as the crawl goes: each day's
listing (the ids it showed, before their requests leave) and the moment each day's listing was
read to its end. A run that continues a job therefore walks again only the days the job has not
read to the end, and requests every listed article that is not archived. Nothing is needed from
Scrapy's request queue (crawler/scheduler.py says why it stays in memory).

The job file is removed when the job finishes, so the next run with the same JOBDIR is a new job
(a scheduled run reusing one JOBDIR must walk its days again to find new articles)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from crawler.archive.files import write_atomic

logger = logging.getLogger(__name__)

JOB_FILE = "ntd-job.json"


@dataclass(frozen=True)
class Job:
    started: str  # ISO 8601 UTC, with microseconds: days walked at or after it are this job's
    resumed: bool  # True when this run continues an interrupted job
    jobdir: str | None = None  # None: a plain run, a job of its own

    @property
    def key(self) -> str | None:
        """What the store files the job's articles under; None for a plain run."""
        return self.started if self.jobdir else None


def now() -> str:
    """A moment in the form the job file and the store compare (ISO 8601 UTC, microseconds)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def start_or_resume(jobdir: str | None, description: dict) -> Job:
    """The job this run belongs to. `description` (lang and range) must match the interrupted
    job's for the run to continue it; otherwise a new job starts in that JOBDIR."""
    if not jobdir:
        return Job(now(), resumed=False)
    path = Path(jobdir, JOB_FILE)
    try:
        saved = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        saved = None
    except ValueError:
        logger.warning("Unreadable job file %s: starting the job anew", path)
        saved = None
    if saved is not None:
        if saved.get("job") == description and isinstance(saved.get("started"), str):
            logger.info("Continuing the job started at %s (%s)", saved["started"], jobdir)
            return Job(saved["started"], resumed=True, jobdir=jobdir)
        logger.warning(
            "JOBDIR %s held another job (%s): starting a new one for %s",
            jobdir,
            saved.get("job"),
            description,
        )
    job = Job(now(), resumed=False, jobdir=jobdir)
    data = {"started": job.started, "job": description}
    write_atomic(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return job


def finish(jobdir: str | None) -> None:
    """The job is done: the next run with this JOBDIR starts a new one."""
    if jobdir:
        Path(jobdir, JOB_FILE).unlink(missing_ok=True)
