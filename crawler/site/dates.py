"""Dates and times of the site: the crawl range and the printed Beijing time."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")
US_EASTERN = ZoneInfo("America/New_York")

# "北京时间：2021-06-24 05:22" (seconds, full-width colon and extra spaces all occur)
_PRINTED_TIME_RE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"\s*(?:(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?)?"
)
# JSON-LD "2021-06-24T05:22:00Z": Beijing wall-clock time with a wrong "Z" (docs/site.md)
_JSONLD_TIME_RE = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
)


class DateArgumentError(ValueError):
    """A spider argument that names a date range that cannot be crawled."""


def _to_datetime(m: re.Match[str]) -> dt.datetime | None:
    try:
        return dt.datetime(
            int(m["y"]),
            int(m["m"]),
            int(m["d"]),
            int(m["H"] or 0),
            int(m["M"] or 0),
            int(m["S"] or 0),
            tzinfo=BEIJING,
        )
    except ValueError:
        return None


def parse_printed_beijing_time(text: str | None) -> str | None:
    """'北京时间：2021-06-24 05:22' -> '2021-06-24T05:22:00+08:00'; None if it does not parse."""
    if not text:
        return None
    m = _PRINTED_TIME_RE.search(text)
    moment = _to_datetime(m) if m else None
    return moment.isoformat() if moment else None


def parse_jsonld_beijing_time(text: str | None) -> str | None:
    """JSON-LD times of this site are Beijing wall-clock time, whatever offset they claim."""
    if not text:
        return None
    m = _JSONLD_TIME_RE.match(text.strip())
    moment = _to_datetime(m) if m else None
    return moment.isoformat() if moment else None


def parse_day(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise DateArgumentError(f"{name}={value!r} is not a date of the form YYYY-MM-DD") from None


def crawl_days(
    start: str | None, end: str | None, days: str | int | None, today: dt.date | None = None
) -> list[dt.date]:
    """The days to walk, oldest first. Without start, the last `days` days (US Eastern)."""
    if start is None and end is not None:
        raise DateArgumentError("end is given without start")
    if start is not None:
        if days is not None:
            raise DateArgumentError("days cannot be combined with start/end")
        first = parse_day("start", start)
        last = parse_day("end", end) if end is not None else first
        if first > last:
            raise DateArgumentError(f"start={start} is after end={end}")
    else:
        try:
            count = int(days) if days is not None else 2
        except ValueError:
            raise DateArgumentError(f"days={days!r} is not a whole number") from None
        if count < 1:
            raise DateArgumentError(f"days={days!r} must be 1 or more")
        last = today or dt.datetime.now(US_EASTERN).date()
        first = last - dt.timedelta(days=count - 1)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
