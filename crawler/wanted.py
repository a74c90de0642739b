"""Which listed articles a run requests: none already archived (unless the spider refreshes),
none archived or taken by another worker (distributed mode), and each once per run whatever
address form the listing used. Asked by the walk before it makes a request, so that a run over
archived days costs one lookup per listed article and nothing more."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from crawler.archive.store import ArchiveStore
from crawler.site.urls import ArticleAddress

# The walk goes day by day: a few days' ids are all it needs at a time
DAYS_REMEMBERED = 8


class WantedArticles:
    def __init__(
        self,
        store: ArchiveStore,
        refresh: bool,
        claim: Callable[[str], bool] | None = None,
        archived_elsewhere: Callable[[str], bool] | None = None,
    ) -> None:
        self.store = store
        self.refresh = refresh
        # Distributed mode: take an article for this worker (False: another one has it)
        self.claim = claim
        self.archived_elsewhere = archived_elsewhere
        self.requested: set[str] = set()
        # Archived ids of the last days asked about: one query per day, not one per article.
        # Those archived by this run are never asked about again (see `requested`).
        self.archived_on_day: OrderedDict[tuple[str, str], set[str]] = OrderedDict()

    def skip_reason(self, address: ArticleAddress) -> str | None:
        """None for an article to request; else the stat that counts why it is not."""
        if address.id in self.requested:
            return "ntd/listing/duplicate"
        self.requested.add(address.id)
        if self.refresh:
            return None
        if self._archived_here(address):
            return "ntd/articles/already_archived"
        if self.claim is not None and not self.claim(address.id):
            if self.archived_elsewhere is not None and self.archived_elsewhere(address.id):
                return "ntd/articles/already_archived"
            return "ntd/articles/taken_by_another_worker"
        return None

    def _archived_here(self, address: ArticleAddress) -> bool:
        day = (address.lang, address.date.isoformat())
        ids = self.archived_on_day.get(day)
        if ids is None:
            ids = self.archived_on_day[day] = self.store.archived_ids(*day)
            if len(self.archived_on_day) > DAYS_REMEMBERED:
                self.archived_on_day.popitem(last=False)
        return address.id in ids
