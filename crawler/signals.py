"""Signals of this project, for the run report (Scrapy's own cover items and the spider)."""

# An article or archive page that could not be fetched or parsed (kwargs: url, reason, kind,
# status: the HTTP status it answered with, None when it did not answer)
page_failed = object()
# A featured image that could not be stored (kwargs: url, article_url, reason)
image_failed = object()
