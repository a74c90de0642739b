"""Signals of this project, for the run report (Scrapy's own cover items and the spider)."""

# An article or archive page that could not be fetched or parsed (kwargs: url, reason, kind,
# gone: True when the site answered that it no longer has it, 404 or 410)
page_failed = object()
# A featured image that could not be stored (kwargs: url, article_url, reason)
image_failed = object()
# The run knows which job it belongs to (kwargs: job, a crawler.job.Job); sent before the walk
job_started = object()
