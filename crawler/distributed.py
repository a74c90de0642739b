"""What the distributed mode keeps in Redis (crawler/spiders/ntd_worker.py)."""

from __future__ import annotations

import datetime as dt
import json

# A list of days to walk, one JSON object each: pushed by `scrapy seed`, taken by the workers
DAYS_KEY = "ntd-worker:days"
# The ids of the articles that some worker has archived (and committed to its store)
ARCHIVED_KEY = "ntd-worker:archived"
# The ids of the articles that some worker has taken to fetch: SADD claims one atomically, so
# two workers that list the same article at the same moment do not both fetch it. `scrapy seed`
# resets it to the archived ids, so what a killed worker had taken is fetched again.
CLAIMED_KEY = "ntd-worker:claimed"


def seed_entry(day: dt.date, first: dt.date, last: dt.date, lang: str) -> str:
    """One day of a backfill, with the range it belongs to (links to other days inside the
    range are followed, like a single run does)."""
    return json.dumps(
        {"day": day.isoformat(), "start": first.isoformat(), "end": last.isoformat(), "lang": lang}
    )


class RedisUnreachable(RuntimeError):
    """The distributed mode cannot start: its Redis server does not answer."""


def redis_client(settings):
    from scrapy_redis import connection

    return connection.from_settings(settings)


def redis_address(server) -> str:
    """Where a client connects, for messages: never the password of REDIS_URL."""
    kwargs = server.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix://{kwargs['path']}"
    return f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def reachable_redis(settings):
    """A client of REDIS_URL that answered a PING; RedisUnreachable, naming the address,
    otherwise (before anything starts, instead of a traceback from deep inside a crawl)."""
    import redis

    try:
        server = redis_client(settings)
    except ValueError as exc:
        raise RedisUnreachable(f"REDIS_URL is not a Redis address: {exc}") from None
    try:
        server.ping()
    except redis.RedisError as exc:
        raise RedisUnreachable(
            f"cannot reach Redis at {redis_address(server)} (REDIS_URL): {exc}"
        ) from None
    return server
