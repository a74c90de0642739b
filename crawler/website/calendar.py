"""The home page's calendar: for each day, the articles archived; days whose listing showed
articles that are not archived are marked. An SVG made at build time from the store (no
script needed to see it), each day a link to its page."""

from __future__ import annotations

import datetime as dt
import sqlite3
from html import escape
from pathlib import Path

from crawler.archive.store import store_path

CELL = 12
GAP = 2
LEFT = 28
TOP = 16
LEVELS = ["#ebedf0", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
MISSING = "#d62728"
WEEKDAYS = {1: "一", 3: "三", 5: "五"}


def day_counts(archive_dir: str | Path) -> tuple[dict, dict]:
    """({(lang, day): archived}, {(lang, day): listed but not archived}), read from the store
    without changing it (read-only: a run may hold it open)."""
    path = store_path(archive_dir)
    if not path.exists():
        return {}, {}
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    try:
        archived = {
            (lang, day): n
            for lang, day, n in db.execute(
                "SELECT lang, day, count(*) FROM articles GROUP BY lang, day"
            )
        }
        missing = {
            (lang, day): n
            for lang, day, n in db.execute(
                "SELECT l.lang, l.day, count(*) FROM listed_articles AS l "
                "WHERE NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.id = l.id) "
                "GROUP BY l.lang, l.day"
            )
        }
    finally:
        db.close()
    return archived, missing


def _level(count: int, top: int) -> str:
    if count <= 0:
        return LEVELS[0]
    return LEVELS[min(4, 1 + (count * 4 - 1) // max(top, 1))]


def calendar_svg(archived: dict, missing: dict) -> str:
    """One block per language and year (weeks as columns, Monday on top)."""
    keys = sorted(set(archived) | set(missing))
    if not keys:
        return ""
    top = max(archived.values(), default=1)
    blocks = sorted({(lang, day[:4]) for lang, day in keys}, key=lambda b: (b[0], b[1]))
    blocks.sort(key=lambda b: b[1], reverse=True)
    height_one = TOP + 7 * (CELL + GAP) + 18
    width = LEFT + 54 * (CELL + GAP)
    parts = []
    y0 = 0
    for lang, year in blocks:
        first = dt.date(int(year), 1, 1)
        parts.append(f'<text x="0" y="{y0 + 11}" class="year">{year} ({escape(lang)})</text>')
        for row, name in WEEKDAYS.items():
            y = y0 + TOP + row * (CELL + GAP) + CELL - 2
            parts.append(f'<text x="{LEFT - 16}" y="{y}" class="weekday">{name}</text>')
        offset = first.weekday()
        day = first
        while day.year == int(year):
            iso = day.isoformat()
            column, row = divmod((day - first).days + offset, 7)
            x, y = LEFT + column * (CELL + GAP), y0 + TOP + row * (CELL + GAP)
            if day.day == 1:
                parts.append(f'<text x="{x}" y="{y0 + TOP - 3}" class="month">{day.month}月</text>')
            n, lost = archived.get((lang, iso), 0), missing.get((lang, iso), 0)
            label = f"{iso}：{n} 篇" + (f"，另有 {lost} 篇已列出未存档" if lost else "")
            stroke = f' stroke="{MISSING}" stroke-width="2"' if lost else ' stroke="none"'
            rect = (
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" '
                f'fill="{_level(n, top)}"{stroke}'
                + (' class="missing"' if lost else "")
                + f"><title>{escape(label)}</title></rect>"
            )
            if n:
                href = f"{lang}/{iso[:4]}/{iso[5:7]}/{iso[8:]}/index.html"
                rect = f'<a href="{escape(href)}">{rect}</a>'
            parts.append(rect)
            day += dt.timedelta(days=1)
        y0 += height_one
    legend_y = y0 + 4
    legend = [f'<text x="0" y="{legend_y + 10}" class="legend">少</text>']
    for i, colour in enumerate(LEVELS):
        x = 20 + i * (CELL + GAP)
        legend.append(
            f'<rect x="{x}" y="{legend_y}" width="{CELL}" height="{CELL}" rx="2" fill="{colour}"/>'
        )
    x = 20 + 5 * (CELL + GAP) + 4
    legend.append(
        f'<text x="{x}" y="{legend_y + 10}" class="legend">多（每日最多 {top} 篇）</text>'
    )
    x += 150
    legend.append(
        f'<rect x="{x}" y="{legend_y}" width="{CELL}" height="{CELL}" rx="2" '
        f'fill="{LEVELS[1]}" stroke="{MISSING}" stroke-width="2"/>'
        f'<text x="{x + CELL + 6}" y="{legend_y + 10}" class="legend">有已列出而未存档的文章</text>'
    )
    total_height = legend_y + CELL + 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="calendar" role="img" '
        f'viewBox="0 0 {width} {total_height}" width="{width}" height="{total_height}" '
        f'font-size="10" fill="#57606a" aria-label="存档日历：每天存档的文章数">'
        + "".join(parts + legend)
        + "</svg>"
    )
