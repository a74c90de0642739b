"""Why an article is not archived, as data (pipelines raise ArticleDropped; the run report and
the log read its `reason`, never the text of its message), and why a download failed, in words."""

from __future__ import annotations

from scrapy.exceptions import (
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
)


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


def download_failure(exc: Exception, timeout: float | None) -> str:
    """Why a download failed, in words a run report reader understands."""
    if isinstance(exc, DownloadTimeoutError | TimeoutError):
        return f"timed out after {timeout:g} s" if timeout else "timed out"
    if isinstance(exc, DownloadConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, IgnoreRequest):
        return f"not downloaded: {exc}"
    return f"download failed: {type(exc).__name__}: {exc}"
