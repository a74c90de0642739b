"""Golden outputs: a few varied articles through the whole crawl, kept as committed files.

`python -m tests.golden` starts the replica (`tests/site/`), crawls it with `scrapy crawl ntd`
into a temporary archive with `-O` a JSON lines feed, exactly as the tests do
(`tests.conftest.crawl`), and compares, for each article of `CHOSEN`, what the crawl produced
with the committed files of `tests/fixtures/golden/`:

- `<corpus id>.md`: the article's Markdown file exactly as archived;
- `<corpus id>.json`: its JSON line, pretty-printed (`ensure_ascii=False`, `indent=2`, the keys
  in the feed's order), with a final newline.

It prints a unified diff of whatever differs and exits 1; with `--update` it rewrites the
golden files instead (and removes those of articles no longer chosen). `tests/test_golden.py`
runs the same code path, so that every change to the crawler shows, in review, what it does to
the output. A diff in the golden files must be read, not just regenerated.

Files are named by the id of the source article (`tests/fixtures/corpus/<id>.json`, or the
synthetic shapes of `tests/site/synthetic.py`, ids `a9…`); the replica serves it under an id of
its own (`REPLICA_ARGS` fix which), and that id is what the files contain.

Stable addresses: the replica listens on a port picked free at run time, and its pages name it
(`http://127.0.0.1:PORT` for the site, `http://localhost:PORT` for the image host). Before
anything is written or compared, those two bases are replaced, wherever they occur in the
Markdown text or in a string of the record, by the real site's:

    http://127.0.0.1:PORT  ->  https://www.ntdtv.com   (SITE_PLACEHOLDER)
    http://localhost:PORT  ->  https://i.ntdtv.com     (IMAGE_PLACEHOLDER)

so that the golden files read like output of a crawl of the real site. Any other mention of
the replica's host left after that is an error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.conftest import crawl
from tests.site.model import SiteModel, parse_faults
from tests.site.replica import Replica

GOLDEN_DIR = Path(__file__).resolve().parent / "fixtures" / "golden"
SITE_PLACEHOLDER = "https://www.ntdtv.com"
IMAGE_PLACEHOLDER = "https://i.ntdtv.com"

# The replica: three days of 36 stories, no faults. The sources are dealt out in order
# (tests/site/model.py: the synthetic shapes first, then the corpus by id), so these 108 stories
# are sources 0 to 107, each served once, and every article below among them.
START, DAYS, PER_DAY, LANG = "2021-06-21", 3, 36, "gb"
REPLICA_ARGS = ("--start", START, "--days", str(DAYS), "--per-day", str(PER_DAY))
REPLICA_ARGS += ("--faults", "none")

# Source id -> why it is in the set. Real corpus articles wherever the corpus has the shape;
# synthetic ones (a9…) only for shapes the corpus lacks (tables, lists, h3/h4, video).
CHOSEN: dict[str, str] = {
    "a900000001": "synthetic: h3/h4 sub-headings; credit with two reporters (黎明、李芸综合报导)",
    "a900000002": "synthetic: a table (a cell holding '|'); credit 转自大纪元; image without caption",
    "a900000003": "synthetic: nested <ul>, <ol>, a plain <blockquote>; credit editor only",
    "a900000004": "synthetic: in-body <figure> and bare <img>, <iframe> video, ad/style/onclick "
    "dropped, no tags; credit with full-width slash",
    "a102700326": "corpus: <strong> sub-headings, two in-body figures with captions; credit "
    "reporter + editor (记者李韵报导/责任编辑：范铭)",
    "a102948518": "corpus: a bare in-body <img> followed by <br> and text in one paragraph; "
    "featured image without caption; credit editor only",
    "a102952068": "corpus: a tweet <blockquote> with its <script> and an empty <p>; credit with "
    "full-width slash (记者萧静报导／责任编辑：梅兰)",
    "a102953035": "corpus: video-report credit 采访/常春 编辑/尚燕 后制/陈建铭; no featured image",
    "a102953381": "corpus: credit 转自大纪元 (source); figures with <br> inside and after "
    "<figcaption>",
    "a102668168": "corpus: no credit line at all; no featured image",
}


@cache
def replica_ids() -> dict[str, str]:
    """Source id -> the id under which the replica of REPLICA_ARGS serves it (once each)."""
    model = SiteModel.from_args(START, DAYS, PER_DAY, parse_faults("none"))
    served: dict[str, list[str]] = {}
    for article in model.all_articles(LANG):
        served.setdefault(article.source["id"], []).append(article.id)
    out = {}
    for source_id in CHOSEN:
        ids = served.get(source_id, [])
        if len(ids) != 1:
            raise RuntimeError(f"{source_id} is served {len(ids)} times by {REPLICA_ARGS}")
        out[source_id] = ids[0]
    return out


@dataclass(frozen=True)
class Output:
    """What a crawl produced for one article, addresses made stable: the two golden texts."""

    markdown: str  # the article's file
    record: str  # its JSON line, pretty-printed

    def files(self, source_id: str) -> dict[str, str]:
        return {f"{source_id}.md": self.markdown, f"{source_id}.json": self.record}


def stabilizer(site_url: str):
    """A function replacing the replica's bases in a text by the real site's (see above)."""
    port = site_url.rsplit(":", 1)[1].rstrip("/")
    bases = [(f"http://127.0.0.1:{port}", SITE_PLACEHOLDER)]
    bases.append((f"http://localhost:{port}", IMAGE_PLACEHOLDER))

    def stable(text: str) -> str:
        for base, placeholder in bases:
            text = text.replace(base, placeholder)
        for leftover in ("127.0.0.1", "localhost"):
            if leftover in text:
                raise AssertionError(f"the replica's host {leftover} is left in: {text[:300]!r}")
        return text

    return stable


def render_record(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _stable_value(value, stable):
    if isinstance(value, str):
        return stable(value)
    if isinstance(value, list):
        return [_stable_value(v, stable) for v in value]
    if isinstance(value, dict):
        return {k: _stable_value(v, stable) for k, v in value.items()}
    return value


def crawl_replica(workdir: Path) -> dict[str, Output]:
    """Crawl the replica into `workdir`; the output of every chosen article, by source id."""
    archive, feed = workdir / "archive", workdir / "feed.jsonl"
    end = SiteModel.from_args(START, DAYS, PER_DAY, frozenset()).end.isoformat()
    with Replica(*REPLICA_ARGS) as site:
        result = crawl(site.url, archive, "-a", f"start={START}", "-a", f"end={end}", feed=feed)
        stable = stabilizer(site.url)
    if result.returncode != 0:
        raise RuntimeError(f"the crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    records = {}
    for line in feed.read_text("utf-8").splitlines():
        record = json.loads(line)
        records[record["id"]] = record
    out = {}
    for source_id, article_id in replica_ids().items():
        record = records.get(article_id)
        if record is None:
            raise RuntimeError(f"{source_id} (served as {article_id}) is not in the feed")
        markdown = (archive / record["path"]).read_text("utf-8")
        out[source_id] = Output(stable(markdown), render_record(_stable_value(record, stable)))
    return out


def golden_files() -> dict[str, str]:
    """The committed golden files, by name (README.md aside)."""
    if not GOLDEN_DIR.is_dir():
        return {}
    return {
        p.name: p.read_text("utf-8")
        for p in sorted(GOLDEN_DIR.iterdir())
        if p.suffix in (".md", ".json") and p.name != "README.md"
    }


def expected_files() -> set[str]:
    return {name for source_id in CHOSEN for name in (f"{source_id}.md", f"{source_id}.json")}


def diff(name: str, golden: str | None, produced: str | None) -> str:
    """A unified diff from the golden file to what the crawl produced ('' when equal)."""
    if golden == produced:
        return ""
    return "".join(
        difflib.unified_diff(
            (golden or "").splitlines(keepends=True),
            (produced or "").splitlines(keepends=True),
            f"golden/{name}" if golden is not None else "/dev/null",
            f"produced/{name}" if produced is not None else "/dev/null",
        )
    )


HOW_TO_UPDATE = (
    "If the change is intended, regenerate with `python -m tests.golden --update` and review "
    "the diff of tests/fixtures/golden/ line by line before committing it."
)


def mismatch_message(name: str, golden: str | None, produced: str | None) -> str:
    what = "is missing" if golden is None else "differs from what the crawl produced"
    return f"golden file {name} {what}:\n{diff(name, golden, produced)}\n{HOW_TO_UPDATE}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        outputs = crawl_replica(Path(tmp))
    produced = {name: text for s, o in outputs.items() for name, text in o.files(s).items()}
    golden = golden_files()
    changed = sorted(n for n in produced.keys() | golden.keys() if golden.get(n) != produced.get(n))
    if args.update:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        for name in changed:
            path = GOLDEN_DIR / name
            if name in produced:
                path.write_text(produced[name], "utf-8")
            else:
                path.unlink()
            print(f"{'wrote' if name in produced else 'removed'} {path}")
        print(f"{len(changed)} golden file(s) changed; review them with `git diff {GOLDEN_DIR}`")
        return 0
    for name in changed:
        sys.stdout.write(diff(name, golden.get(name), produced.get(name)))
    if changed:
        print(f"\n{len(changed)} golden file(s) differ. {HOW_TO_UPDATE}")
        return 1
    print(f"{len(produced)} golden files match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
