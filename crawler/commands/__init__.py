"""The project's scrapy commands, and what several of them share."""

from __future__ import annotations

import datetime as dt

from scrapy.exceptions import UsageError

from crawler.site.dates import DateArgumentError, parse_day


def date_range(opts) -> tuple[dt.date | None, dt.date | None]:
    """The --start / --end options as dates (end defaults to start; either may be None);
    UsageError naming a malformed one, or a start after the end."""
    try:
        first = parse_day("start", opts.start) if opts.start else None
        last = parse_day("end", opts.end) if opts.end else first
    except DateArgumentError as exc:
        raise UsageError(str(exc)) from None
    if first and last and first > last:
        raise UsageError(f"start={first} is after end={last}")
    return first, last
