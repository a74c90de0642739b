"""The archive's Markdown pages: the article file and the index pages (pure functions)."""

from __future__ import annotations

import posixpath

from crawler.archive.frontmatter import front_matter
from crawler.archive.paths import (
    day_page_path,
    month_page_path,
    month_part_path,
    qr_code_path,
    relative_link,
    section_folder,
    section_page_path,
    tag_folder,
    tag_page_path,
    tags_shard_path,
)
from crawler.archive.store import ArticleRow
from crawler.site.body import escape_markdown

HOME = "README.md"
TAGS_INDEX = "tags/README.md"
SECTIONS_INDEX = "sections/README.md"
SEPARATOR = " › "
HOME_NEWEST = 30
HOME_TAGS = 100
TAGS_INDEX_TOP = 500
# Articles on one page of a tag's or a section's month (a page stays far under 500 KB)
PAGE_ENTRIES = 1000
BEIJING_TIME = "Times are Beijing time (UTC+8)."
# Above an article's QR code (PUBLIC_URL set)
SHARE_LINE = "分享本文：在手机上长按下面的二维码，选择“在浏览器中打开”，即可阅读本文并转发给亲友。"


def _link(text: str, target: str) -> str:
    return f"[{escape_markdown(text)}]({target.replace(' ', '%20')})"


def share_section(path: str) -> str:
    """The end of an article with a QR code (PUBLIC_URL set): a rule, how to share, the code."""
    code = posixpath.basename(qr_code_path(path))
    return f"---\n\n{SHARE_LINE}\n\n![本文地址的二维码]({code})"


def render_article(record: dict, public_url: str | None = None) -> str:
    """The article's Markdown file (docs/archive.md) from its JSON record; with `public_url`
    (the PUBLIC_URL setting), its QR code (crawler/qrcodes.py, beside the file) at the end."""
    path = record["path"]
    day = path.split("/")[1:4]
    day_name = "-".join(day)
    image = record.get("featured_image") or None
    image_link = relative_link(path, image["path"]) if image and image.get("path") else None

    meta = {
        "title": record["title"],
        "id": record["id"],
        "url": record["url"],
        "lang": record["lang"],
        "published": record.get("published"),
    }
    if record.get("modified"):
        meta["modified"] = record["modified"]
    meta["section"] = record.get("section")
    meta["authors"] = list(record.get("authors") or [])
    meta["editor"] = record.get("editor")
    if record.get("source"):
        meta["source"] = record["source"]
    meta["tags"] = [t["name"] for t in record.get("tags") or []]
    if image_link:
        meta["image"] = image_link

    crumbs = [_link("首页", relative_link(path, HOME)), _link(day_name, "README.md")]
    if record.get("section"):
        section_page = section_page_path(record["section"])
        crumbs.append(_link(record["section"], relative_link(path, section_page)))
    parts = [front_matter(meta), SEPARATOR.join(crumbs), f"# {escape_markdown(record['title'])}"]
    if image:
        # A failed download keeps the site's address, so the reader still sees the picture
        target = image_link or image["url"]
        figure = f"![{escape_markdown(image.get('alt') or '')}]({target.replace(' ', '%20')})"
        if image.get("caption"):
            # Its own paragraph: on the image's line it would run beside a small picture
            figure += f"\n\n*{escape_markdown(image['caption'])}*"
        parts.append(figure)
    if record.get("markdown"):
        parts.append(record["markdown"])
    parts.append(f"Source: <{record['url']}>")
    if public_url:
        parts.append(share_section(path))
    return parts[0] + "\n" + "\n\n".join(parts[1:]) + "\n"


def _article_list(page: str, rows: list[ArticleRow], with_day: bool = True) -> str:
    lines = []
    for row in rows:
        if with_day:
            when = (row.published or row.day)[:16].replace("T", " ")
        else:
            when = row.published[11:16] if row.published else "--:--"
        line = f"- {when} {_link(row.title, relative_link(page, row.path))}"
        if row.section:
            line += f" · {_link(row.section, relative_link(page, section_page_path(row.section)))}"
        lines.append(line)
    return "\n".join(lines) if lines else "(none)"


def _articles(count: int) -> str:
    return "1 article" if count == 1 else f"{count} articles"


def _nav(page: str, *trail: str) -> str:
    return SEPARATOR.join([_link("首页", relative_link(page, HOME)), *map(escape_markdown, trail)])


def _nav_links(page: str, *trail: tuple[str, str]) -> str:
    """首页 › linked steps (text, archive path) of the way to this page."""
    steps = [_link(text, relative_link(page, target)) for text, target in trail]
    return SEPARATOR.join([_link("首页", relative_link(page, HOME)), *steps])


# -- the calendar: home -> month -> day ------------------------------------------------------


def render_day_page(
    lang: str, day: str, rows: list[ArticleRow], before: str | None, after: str | None
) -> str:
    page = day_page_path(lang, day)
    month = day[:7]
    nav = _nav_links(page, (month, month_page_path(lang, month))) + f"{SEPARATOR}{day}"
    steps = []
    if before:
        steps.append(f"← {_link(before, relative_link(page, day_page_path(lang, before)))}")
    if after:
        steps.append(f"{_link(after, relative_link(page, day_page_path(lang, after)))} →")
    around = " · ".join(steps)
    return (
        f"{nav}\n\n# {day} ({lang})\n\n"
        + (f"{around}\n\n" if around else "")
        + f"{_articles(len(rows))}, newest first. {BEIJING_TIME}\n\n"
        f"{_article_list(page, rows, with_day=False)}\n"
    )


def render_month_page(lang: str, month: str, days: list[tuple[str, int]]) -> str:
    page = month_page_path(lang, month)
    entries = [(day, day_page_path(lang, day), n) for day, n in days]
    total = sum(n for _, n in days)
    return (
        f"{_nav(page, month)}\n\n# {month} ({lang})\n\n{_articles(total)}, by day.\n\n"
        f"{_counted_links(page, entries)}\n"
    )


# -- tags and sections: a page of months, a page per month ------------------------------------


def _months_page(
    page: str, folder: str, kind: str, kind_index: str, name: str, months: list[tuple[str, int]]
) -> str:
    entries = [(month, month_part_path(folder, month), n) for month, n in months]
    total = sum(n for _, n in months)
    nav = _nav_links(page, (kind, kind_index)) + f"{SEPARATOR}{escape_markdown(name)}"
    return (
        f"{nav}\n\n# {kind}：{escape_markdown(name)}\n\n"
        f"{_articles(total)}, by month, newest first.\n\n{_counted_links(page, entries)}\n"
    )


def _month_parts(
    folder: str, kind: str, kind_index: str, name: str, month: str, rows: list[ArticleRow]
) -> list[tuple[str, str]]:
    """(path, Markdown) of each part of a tag's or section's month, PAGE_ENTRIES a part."""
    parts = [rows[i : i + PAGE_ENTRIES] for i in range(0, len(rows), PAGE_ENTRIES)] or [[]]
    own_page = f"{folder}/README.md"
    out = []
    for number, part in enumerate(parts, start=1):
        page = month_part_path(folder, month, number)
        nav = _nav_links(page, (kind, kind_index), (name, own_page)) + f"{SEPARATOR}{month}"
        other_parts = " · ".join(
            f"{n}"
            if n == number
            else _link(str(n), relative_link(page, month_part_path(folder, month, n)))
            for n in range(1, len(parts) + 1)
        )
        title = f"# {kind}：{escape_markdown(name)}, {month}"
        if len(parts) > 1:
            title += f" ({number}/{len(parts)})"
        out.append(
            (
                page,
                f"{nav}\n\n{title}\n\n{_articles(len(rows))}, newest first. {BEIJING_TIME}\n\n"
                + (f"Parts: {other_parts}\n\n" if len(parts) > 1 else "")
                + f"{_article_list(page, part)}\n",
            )
        )
    return out


def render_tag_page(name: str, months: list[tuple[str, int]]) -> str:
    return _months_page(tag_page_path(name), tag_folder(name), "标签", TAGS_INDEX, name, months)


def render_tag_month(name: str, month: str, rows: list[ArticleRow]) -> list[tuple[str, str]]:
    return _month_parts(tag_folder(name), "标签", TAGS_INDEX, name, month, rows)


def render_section_page(name: str, months: list[tuple[str, int]]) -> str:
    page, folder = section_page_path(name), section_folder(name)
    return _months_page(page, folder, "栏目", SECTIONS_INDEX, name, months)


def render_section_month(name: str, month: str, rows: list[ArticleRow]) -> list[tuple[str, str]]:
    return _month_parts(section_folder(name), "栏目", SECTIONS_INDEX, name, month, rows)


def _counted_links(page: str, entries: list[tuple[str, str, int]]) -> str:
    """entries: (text, archive path, count)."""
    if not entries:
        return "(none)"
    return "\n".join(
        f"- {_link(text, relative_link(page, target))} ({count})" for text, target, count in entries
    )


def render_tags_index(top: list[tuple[str, int]], shards: list[tuple[str, int]], total: int) -> str:
    """The most used tags, and a link to each shard folder's list (every tag is in one)."""
    top_entries = [(name, tag_page_path(name), n) for name, n in top]
    shard_entries = [(name, tags_shard_path(name), n) for name, n in shards]
    return (
        f"{_nav(TAGS_INDEX, '标签')}\n\n# 标签\n\n{total} tags.\n\n"
        f"## Most used\n\n{_counted_links(TAGS_INDEX, top_entries)}\n\n"
        "## Every tag, in folders by a hash of its name (number of tags)\n\n"
        f"{_counted_links(TAGS_INDEX, shard_entries)}\n"
    )


def render_tags_shard(shard_name: str, tags: list[str]) -> str:
    """The tags of one shard folder, by name. Without counts: a run rewrites the page only
    when a tag is added to the folder, not whenever one of its tags is used again."""
    page = tags_shard_path(shard_name)
    links = [f"- {_link(name, relative_link(page, tag_page_path(name)))}" for name in tags]
    return (
        f"{_nav_links(page, ('标签', TAGS_INDEX))}{SEPARATOR}{shard_name}\n\n"
        f"# 标签 ({shard_name})\n\n" + ("\n".join(links) or "(none)") + "\n"
    )


def render_sections_index(sections: list[tuple[str, int]]) -> str:
    entries = [(name, section_page_path(name), n) for name, n in sections]
    return (
        f"{_nav(SECTIONS_INDEX, '栏目')}\n\n# 栏目\n\n{_counted_links(SECTIONS_INDEX, entries)}\n"
    )


def _calendar(months: list[tuple[str, str, int]]) -> str:
    """Year -> month lines: '- 2021 (gb): [06](gb/2021/06/README.md) 300 · [05](…) 280'."""
    years: dict[tuple[str, str], list[str]] = {}
    for lang, month, count in months:
        link = _link(month[5:], relative_link(HOME, month_page_path(lang, month)))
        years.setdefault((month[:4], lang), []).append(f"{link} {count}")
    if not years:
        return "(none)"
    return "\n".join(
        f"- {year} ({lang}): " + " · ".join(links) for (year, lang), links in years.items()
    )


def render_home(
    total: int,
    newest: list[ArticleRow],
    months: list[tuple[str, str, int]],
    sections: list[tuple[str, int]],
    top_tags: list[tuple[str, int]],
) -> str:
    section_entries = [(name, section_page_path(name), n) for name, n in sections]
    tag_entries = [(name, tag_page_path(name), n) for name, n in top_tags]
    return (
        "# 新唐人电视台 (NTD) archive\n\n"
        f"{_articles(total)} archived. "
        f"{_link('All sections', SECTIONS_INDEX)} · {_link('All tags', TAGS_INDEX)}\n\n"
        f"## Newest articles\n\n{BEIJING_TIME}\n\n{_article_list(HOME, newest)}\n\n"
        f"## Sections\n\n{_counted_links(HOME, section_entries)}\n\n"
        f"## By month (articles)\n\n{_calendar(months)}\n\n"
        f"## Tags (most used)\n\n{_counted_links(HOME, tag_entries)}\n"
    )
