"""The YAML front matter of an article file (docs/archive.md): a block mapping whose values are
strings, null, or lists of strings in flow style ("tags: [a, b]").

The text is PyYAML's (with libyaml's emitter), byte for byte. Most articles' values need no
quoting, and those are written here directly: PyYAML's representer and resolver, in Python,
cost an article more than its JSON record. Any value this module cannot vouch for (a quote, a
colon and a space, a leading dash, a line break, a character libyaml escapes, ...) sends the
whole mapping through PyYAML."""

from __future__ import annotations

import re

import yaml
from yaml.nodes import ScalarNode

# libyaml's emitter where PyYAML was built with it (its wheels are): the fast one
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _FrontMatterDumper(_BaseDumper):
    """Block mapping, lists of names in flow style."""


_FrontMatterDumper.add_representer(
    list,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)

_STR_TAG = "tag:yaml.org,2002:str"
# The resolver the dumper uses: a plain scalar that would read back as a number, a boolean, a
# date or null (123, yes, 2021-06-01, ~) is single-quoted
_RESOLVER = yaml.resolver.Resolver()
# What libyaml would not write as a plain scalar, or might not: an indicator or white space
# first, a document marker ("..."), a character it escapes or reads as a line break (controls,
# C1, U+2028/9, BOM, U+FFFE/F, surrogates, anything past U+FFFF), a comment (" #"), a mapping
# indicator (": ", ":" at the end), white space last
_NOT_PLAIN_FIRST = frozenset("#,[]{}&*!|>'\"%@`?:-")
_NOT_PLAIN_CHARACTER = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]"
)
# Inside a flow sequence ([a, b]) these are indicators too
_FLOW_INDICATOR = re.compile(r"[,\[\]{}:?#]")
# A longer line (a long value, or a list of many) could be broken at libyaml's line width
# (the dumper's is 65,536 columns)
_MAX_LINE = 10_000


def front_matter(meta: dict) -> str:
    """The front matter block, its "---" lines included; `meta`'s keys are plain words."""
    lines = []
    for key, value in meta.items():
        if isinstance(value, list):
            items = [_scalar(item, in_flow=True) for item in value]
            line = None if None in items else f"{key}: [{', '.join(items)}]\n"
        else:
            text = _scalar(value, in_flow=False)
            line = None if text is None else f"{key}: {text}\n"
        if line is None or len(line) > _MAX_LINE:
            return _dumped(meta)
        lines.append(line)
    if not lines:
        return _dumped(meta)
    return "---\n" + "".join(lines) + "---\n"


def _scalar(value, in_flow: bool) -> str | None:
    """A value as libyaml writes it, when it is null, plain, or a plain-safe string that the
    resolver would read as something else (then single-quoted); None otherwise."""
    if value is None:
        return "null"
    if type(value) is not str or not value:
        return None
    first, last = value[0], value[-1]
    if (
        first in _NOT_PLAIN_FIRST
        or first.isspace()
        or last.isspace()
        or last == ":"
        or value.startswith("...")
        or " #" in value
        or ": " in value
        or _NOT_PLAIN_CHARACTER.search(value)
        or (in_flow and _FLOW_INDICATOR.search(value))
    ):
        return None
    if _RESOLVER.resolve(ScalarNode, value, (True, False)) == _STR_TAG:
        return value
    return None if "'" in value else f"'{value}'"


def _dumped(meta: dict) -> str:
    # safe_dump quotes whatever a title holds (":", "---", "#", newlines…): always valid YAML
    dumped = yaml.dump(
        meta,
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1 << 16,
    )
    return f"---\n{dumped}---\n"
