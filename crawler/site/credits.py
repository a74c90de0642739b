"""The closing credit line of an article: reporters, editor and source.

Forms seen on the site (full-width or ASCII brackets and slashes alike):
  （记者黎明综合报导/责任编辑：晓辉）   （责任编辑：李昊）   （转自大纪元/责任编辑：王言）
  （记者李佳欣编译报导/责任编辑：梅兰）   (记者卢勇信综合报导)   （作者提供／责任编辑：刘明湘）
  采访/常春编辑/尚燕后制/陈建铭            (video reports: interview/edit/post-production)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BRACKETED_RE = re.compile(r"^\s*[（(](?P<inner>[^（()）]{2,120})[)）]\s*$")
_VIDEO_RE = re.compile(
    r"^\s*采访\s*[/／]\s*(?P<authors>.+?)\s*编辑\s*[/／]\s*(?P<editor>.+?)"
    r"(?:\s*后制\s*[/／].*)?$"
)
_EDITOR_RE = re.compile(r"^责任编辑\s*[:：]?\s*(?P<v>.+)$")
_SOURCE_RE = re.compile(r"^(?:转自|转载自|(?:文章|本文|消息)?来源\s*[:：])\s*[:：]?\s*(?P<v>.+)$")
_REPORTER_RE = re.compile(
    r"^(?:(?:新唐人|大纪元|新唐人电视台)?(?:驻\S{1,6})?记者)?(?P<v>.+?)"
    r"(?:综合|编译|采访|整理)*(?:报导|报道)$"
)
_NAME_SPLIT_RE = re.compile(r"\s*[、，,;；]\s*|\s+和\s+|\s{1,}")


@dataclass
class Credit:
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    source: str | None = None


def _names(value: str) -> list[str]:
    return [n for n in _NAME_SPLIT_RE.split(value.strip()) if n]


def parse_credit(text: str | None) -> Credit | None:
    """Parse a credit line; None when the text is not one."""
    if not text:
        return None
    text = text.strip()
    if m := _VIDEO_RE.match(text):
        return Credit(authors=_names(m["authors"]), editor=m["editor"].strip() or None)
    m = _BRACKETED_RE.match(text)
    if not m:
        return None
    credit = Credit()
    recognised = False
    for segment in re.split(r"\s*[/／]\s*", m["inner"].strip()):
        if not segment:
            continue
        if em := _EDITOR_RE.match(segment):
            credit.editor = em["v"].strip()
        elif sm := _SOURCE_RE.match(segment):
            credit.source = sm["v"].strip()
        elif rm := _REPORTER_RE.match(segment):
            credit.authors.extend(_names(rm["v"]))
        else:
            continue
        recognised = True
    return credit if recognised else None


def find_credit(block_texts: list[str]) -> tuple[int, Credit] | None:
    """The credit among the body's blocks, looking from the end (related links may follow it)."""
    for index in range(len(block_texts) - 1, max(-1, len(block_texts) - 6), -1):
        credit = parse_credit(block_texts[index])
        if credit is not None:
            return index, credit
    return None
