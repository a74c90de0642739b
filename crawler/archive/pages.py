"""The archive's Markdown pages: the article file and the index pages (pure functions)."""

from __future__ import annotations

import yaml

from crawler.site.body import escape_markdown
from crawler.archive.paths import (
    day_page_path,
    relative_link,
    section_page_path,
    tag_page_path,
)
from crawler.archive.store import ArticleRow

HOME = "README.md"
TAGS_INDEX = "tags/README.md"
SECTIONS_INDEX = "sections/README.md"
SEPARATOR = " › "
HOME_NEWEST = 30
HOME_TAGS = 100


def _link(text: str, target: str) -> str:
    return f"[{escape_markdown(text)}]({target.replace(' ', '%20')})"


# libyaml's emitter where PyYAML was built with it (its wheels are): ten times faster
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _FrontMatterDumper(_BaseDumper):
    """Block mapping, lists of names in flow style ("tags: [a, b]") (docs/archive.md)."""


_FrontMatterDumper.add_representer(
    list,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)


def _front_matter(data: dict) -> str:
    # safe_dump quotes whatever a title holds (":", "---", "#", newlines…): always valid YAML
    dumped = yaml.dump(
        data,
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1 << 16,
    )
    return f"---\n{dumped}---\n"


def render_article(record: dict) -> str:
    """The article's Markdown file (docs/archive.md) from its JSON record."""
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
    parts = [_front_matter(meta), SEPARATOR.join(crumbs), f"# {escape_markdown(record['title'])}"]
    if image:
        # A failed download keeps the site's address, so the reader still sees the picture
        target = image_link or image["url"]
        figure = f"![{escape_markdown(image.get('alt') or '')}]({target.replace(' ', '%20')})"
        if image.get("caption"):
            figure += f"\n*{escape_markdown(image['caption'])}*"
        parts.append(figure)
    if record.get("markdown"):
        parts.append(record["markdown"])
    parts.append(f"Source: <{record['url']}>")
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


def render_day_page(lang: str, day: str, rows: list[ArticleRow]) -> str:
    page = day_page_path(lang, day)
    return (
        f"{_nav(page, day)}\n\n# {day} ({lang})\n\n"
        f"{_articles(len(rows))}, newest first (times are Beijing time).\n\n"
        f"{_article_list(page, rows, with_day=False)}\n"
    )


def render_tag_page(name: str, rows: list[ArticleRow]) -> str:
    return _listing_page(tag_page_path(name), "标签", TAGS_INDEX, name, rows)


def render_section_page(name: str, rows: list[ArticleRow]) -> str:
    return _listing_page(section_page_path(name), "栏目", SECTIONS_INDEX, name, rows)


def _listing_page(page: str, kind: str, kind_index: str, name: str, rows: list[ArticleRow]) -> str:
    """A tag's or a section's page: every article carrying it, newest first."""
    nav = SEPARATOR.join([_nav(page), _link(kind, relative_link(page, kind_index))])
    return (
        f"{nav}{SEPARATOR}{escape_markdown(name)}\n\n# {kind}：{escape_markdown(name)}\n\n"
        f"{_articles(len(rows))}, newest first.\n\n{_article_list(page, rows)}\n"
    )


def _counted_links(page: str, entries: list[tuple[str, str, int]]) -> str:
    """entries: (text, archive path, count)."""
    if not entries:
        return "(none)"
    return "\n".join(
        f"- {_link(text, relative_link(page, target))} ({count})" for text, target, count in entries
    )


def render_tags_index(tags: list[tuple[str, int]]) -> str:
    entries = [(name, tag_page_path(name), n) for name, n in tags]
    return f"{_nav(TAGS_INDEX, '标签')}\n\n# 标签\n\n{_counted_links(TAGS_INDEX, entries)}\n"


def render_sections_index(sections: list[tuple[str, int]]) -> str:
    entries = [(name, section_page_path(name), n) for name, n in sections]
    return (
        f"{_nav(SECTIONS_INDEX, '栏目')}\n\n# 栏目\n\n{_counted_links(SECTIONS_INDEX, entries)}\n"
    )


def render_home(
    total: int,
    newest: list[ArticleRow],
    days: list[tuple[str, str, int]],
    sections: list[tuple[str, int]],
    top_tags: list[tuple[str, int]],
) -> str:
    day_entries = [(f"{day} ({lang})", day_page_path(lang, day), n) for lang, day, n in days]
    section_entries = [(name, section_page_path(name), n) for name, n in sections]
    tag_entries = [(name, tag_page_path(name), n) for name, n in top_tags]
    return (
        "# 新唐人电视台 (NTD) archive\n\n"
        f"{_articles(total)} archived. "
        f"{_link('All sections', SECTIONS_INDEX)} · {_link('All tags', TAGS_INDEX)}\n\n"
        f"## Newest articles\n\n{_article_list(HOME, newest)}\n\n"
        f"## Sections\n\n{_counted_links(HOME, section_entries)}\n\n"
        f"## Days\n\n{_counted_links(HOME, day_entries)}\n\n"
        f"## Tags (most used)\n\n{_counted_links(HOME, tag_entries)}\n"
    )
