"""The Article item: the fields of SPEC.md's JSON lines, plus a few that only the pipelines use."""

import scrapy

# What users get in JSON lines, in this order (SPEC.md); FEED_EXPORT_FIELDS uses it.
EXPORTED_FIELDS = (
    "id",
    "url",
    "lang",
    "title",
    "published",
    "modified",
    "section",
    "authors",
    "editor",
    "source",
    "tags",
    "featured_image",
    "text",
    "markdown",
    "path",
)


class Article(scrapy.Item):
    id = scrapy.Field()
    url = scrapy.Field()
    lang = scrapy.Field()
    title = scrapy.Field()
    published = scrapy.Field()
    modified = scrapy.Field()
    section = scrapy.Field()
    authors = scrapy.Field()
    editor = scrapy.Field()
    source = scrapy.Field()
    tags = scrapy.Field()  # [{"name", "url"}]
    featured_image = scrapy.Field()  # {"url", "full_url", "alt", "caption", "path"} or None
    text = scrapy.Field()
    markdown = scrapy.Field()
    path = scrapy.Field()
    # Not exported: used by the pipelines
    date = scrapy.Field()  # the address date, YYYY-MM-DD (US Eastern)
    section_slug = scrapy.Field()  # prog1138
    outcome = scrapy.Field()  # "new" or "updated", set when the store records it
    prepared = scrapy.Field()  # records.PreparedRecord: what the pipelines derive, made once
