"""Why an article is not archived, as data: pipelines raise these, the run report and the log
read `reason` (never the text of the message)."""

from __future__ import annotations

from scrapy.exceptions import DropItem


class ArticleDropped(DropItem):
    """An article the pipelines do not archive, with why as a code that components can act on
    (`reason`) and a sentence for people (the message)."""

    # What each reason code means; the run report counts and lists them by code
    INVALID = "invalid"  # no title or no body: the page is not an article we can archive
    DUPLICATE = "duplicate"  # already handled in this run
    UNCHANGED = "unchanged"  # fetched again and identical to what is archived
    IMAGE_STILL_MISSING = "image_still_missing"  # a retried featured image failed again

    def __init__(self, reason: str, message: str, log_level: str | None = None) -> None:
        super().__init__(message, log_level)
        self.reason = reason
