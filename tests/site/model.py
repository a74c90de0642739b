"""What the replica site holds: which articles each day lists, and the faults it injects.

Deterministic: the same arguments give the same site, byte for byte, so that two crawls (or a
crawl and a test's expectations) see the same pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.site.hostile import CASES, GOOD_BODY, HOSTILE_DAY_ISO, Case
from tests.site.synthetic import SYNTHETIC_ARTICLES

CORPUS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
EASTERN = ZoneInfo("America/New_York")
BEIJING = ZoneInfo("Asia/Shanghai")
SECTIONS = {
    "prog1138": "中国时局",
    "prog204": "大陆新闻",
    "prog203": "国际新闻",
    "prog202": "美国新闻",
}
PER_PAGE = 20
# Every fault docs/site.md lists; "all" switches on each of them
FAULTS = frozenset(
    {
        "gone",  # listed articles that answer 404
        "allgone",  # every listed article answers 404 (removed: reported, not a failed run)
        "allbroken",  # every listed article answers 500, every time (a run that cannot do its job)
        "crosslinks",  # bodies end with links to other stories of the site (related_links)
        "flaky",  # 500/503 on the first request, fine on retry
        "slow",  # slow answers
        "dup",  # the last story of page N shows again at the top of page N+1
        "otherday",  # sticky blocks and sidebars linking to stories of other days
        "emptyday",  # a day with no stories answers 404
        "badimg",  # featured images that are missing, not images, or truncated
        "bigimg",  # very large featured images
        "hostile",  # HOSTILE_DAY lists the hostile and broken cases of tests/site/hostile.py
    }
)
HOSTILE_DAY = dt.date.fromisoformat(HOSTILE_DAY_ISO)


def stable_hash(*parts: object) -> int:
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@lru_cache(maxsize=1)
def load_sources() -> tuple[dict, ...]:
    """Synthetic shapes first (so that every crawl of a few days meets them), then the corpus."""
    corpus = [json.loads(p.read_text("utf-8")) for p in sorted(CORPUS_DIR.glob("a*.json"))]
    return tuple(SYNTHETIC_ARTICLES + corpus)


def parse_faults(spec: str | None) -> frozenset[str]:
    if not spec or spec == "none":
        return frozenset()
    names = {s.strip() for s in spec.split(",") if s.strip()}
    if "all" in names:
        return FAULTS - {"allgone", "allbroken", "crosslinks", "hostile"}
    unknown = names - FAULTS
    if unknown:
        raise ValueError(f"unknown faults: {', '.join(sorted(unknown))}")
    return frozenset(names)


@dataclass(frozen=True)
class ReplicaArticle:
    id: str
    lang: str
    date: dt.date
    slot: int
    source: dict
    revision: int = 0
    case: Case | None = None

    @property
    def path(self) -> str:
        return f"/{self.lang}/{self.date:%Y/%m/%d}/{self.id}.html"

    @property
    def eastern_time(self) -> dt.datetime:
        h = stable_hash(self.id, "time")
        # Newest first on the archive page: later slots were published earlier in the day
        minutes = max(0, 23 * 60 + 50 - self.slot * 7 - h % 5)
        return dt.datetime.combine(self.date, dt.time(minutes // 60, minutes % 60), EASTERN)

    @property
    def beijing_time(self) -> dt.datetime:
        return self.eastern_time.astimezone(BEIJING)

    @property
    def section_slug(self) -> str:
        slug = self.source.get("section_slug")
        return slug if slug in SECTIONS else "prog1138"

    @property
    def section_name(self) -> str:
        return SECTIONS[self.section_slug]

    @property
    def title(self) -> str:
        return self.source["title"]

    @property
    def body_html(self) -> str:
        body = self.source["body_html"]
        if self.revision:
            body = f"<p>【更新{self.revision}】本文已更新。</p>" + body
        return body


@dataclass
class SiteModel:
    start: dt.date
    days: int
    per_day: int
    faults: frozenset[str] = frozenset()
    revisions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sources = load_sources()

    @classmethod
    def from_args(cls, start: str, days: int, per_day: int, faults: frozenset[str]) -> SiteModel:
        return cls(dt.date.fromisoformat(start), days, per_day, faults)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)

    def in_range(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def is_empty_day(self, day: dt.date) -> bool:
        return "emptyday" in self.faults and self.days >= 3 and day == self.start + dt.timedelta(2)

    def article_id(self, lang: str, day: dt.date, slot: int) -> str:
        return f"a{1 if lang == 'gb' else 2}{day.toordinal():07d}{slot:03d}"

    def hostile_articles(self) -> list[ReplicaArticle]:
        out = []
        for slot, case in enumerate(CASES):
            source = {
                "title": f"正常标题{slot}：{case.name}",
                "section_slug": "prog204",
                "body_html": GOOD_BODY,
                "featured_image": None,
                **case.source,
            }
            article_id = self.article_id("gb", HOSTILE_DAY, slot)
            out.append(ReplicaArticle(article_id, "gb", HOSTILE_DAY, slot, source, case=case))
        return out

    def articles_on(self, lang: str, day: dt.date) -> list[ReplicaArticle]:
        """The day's stories, newest first, as its archive pages list them."""
        if "hostile" in self.faults and day == HOSTILE_DAY:
            return self.hostile_articles() if lang == "gb" else []
        if not self.in_range(day) or self.is_empty_day(day):
            return []
        index = (day - self.start).days
        out = []
        for slot in range(self.per_day):
            source = self.sources[(index * self.per_day + slot) % len(self.sources)]
            article_id = self.article_id(lang, day, slot)
            out.append(
                ReplicaArticle(
                    article_id, lang, day, slot, source, self.revisions.get(article_id, 0)
                )
            )
        return out

    def article(self, lang: str, day: dt.date, article_id: str) -> ReplicaArticle | None:
        if not article_id[1:].isdigit() or len(article_id) != 12:
            return None
        slot = int(article_id[-3:])
        if slot >= self.per_day and not ("hostile" in self.faults and day == HOSTILE_DAY):
            return None
        for article in self.articles_on(lang, day)[slot : slot + 1]:
            if article.id == article_id:
                return article
        return None

    def all_articles(self, lang: str = "gb") -> list[ReplicaArticle]:
        return [
            a
            for i in range(self.days)
            for a in self.articles_on(lang, self.start + dt.timedelta(i))
        ]

    def related_links(self, article: ReplicaArticle) -> list[ReplicaArticle]:
        """With crosslinks: the first story of every day links to the first story of the
        next day (archived after it, in a crawl of both days) and of the day before."""
        if "crosslinks" not in self.faults or article.id[-3:] != "000":
            return []
        around = [article.date + dt.timedelta(days=step) for step in (1, -1)]
        return [a for day in around for a in self.articles_on(article.lang, day)[:1]]

    # -- faults --------------------------------------------------------------------------

    def is_gone(self, article: ReplicaArticle) -> bool:
        if "allgone" in self.faults:
            return True
        return "gone" in self.faults and stable_hash(article.id, "gone") % 29 == 0

    def flaky_failures(self, path: str) -> int:
        """How many times a path fails (500/503) before it answers."""
        if "allbroken" in self.faults and path.endswith(".html"):
            return 1 << 30
        if "flaky" not in self.faults or path.startswith("/assets/"):
            return 0
        return 1 if stable_hash(path, "flaky") % 7 == 0 else 0

    def delay(self, path: str) -> float:
        return 0.3 if "slow" in self.faults and stable_hash(path, "slow") % 23 == 0 else 0.0

    def image_fault(self, name: str) -> str | None:
        """None for a good image, else 'missing', 'not-image', 'truncated' or 'huge'."""
        h = stable_hash(name, "image") % 31
        if "badimg" in self.faults and h in (0, 1, 2):
            return ("missing", "not-image", "truncated")[h]
        if "bigimg" in self.faults and h == 3:
            return "huge"
        return None

    def other_day_stories(self, lang: str, day: dt.date) -> list[ReplicaArticle]:
        """Stories of other days linked from a day's sticky block and sidebar."""
        if "otherday" not in self.faults:
            return []
        out = []
        for other in (day - dt.timedelta(1), day + dt.timedelta(1), self.end + dt.timedelta(30)):
            model = self if self.in_range(other) else SiteModel(other, 1, 2)
            out.extend(model.articles_on(lang, other)[:1])
        return out
