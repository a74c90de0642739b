"""Log lines of the crawl: a dropped or failed article is one line (its address and why), not a
dump of the whole item with its body."""

from __future__ import annotations

from scrapy import logformatter


def _address(item) -> str:
    try:
        return item.get("url") or item.get("id") or "an item"
    except AttributeError:
        return "an item"


class ArchiveLogFormatter(logformatter.LogFormatter):
    def dropped(self, item, exception: BaseException, response, spider):
        entry = super().dropped(item, exception, response, spider)
        reason = getattr(exception, "reason", None) or "dropped"
        entry["msg"] = "Article %(url)s not archived: %(reason)s (%(detail)s)"
        entry["args"] = {"url": _address(item), "reason": reason, "detail": exception}
        return entry

    def item_error(self, item, exception: BaseException, response, spider):
        entry = super().item_error(item, exception, response, spider)
        entry["msg"] = "Error processing article %(url)s"
        entry["args"] = {"url": _address(item)}
        return entry
