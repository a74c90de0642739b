"""The Article item: the fields of the JSON lines (docs/archive.md), plus a few that only the
pipelines use."""

import scrapy

# What users get in JSON lines, in this order; FEED_EXPORT_FIELDS and `scrapy export` use it.
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
    "images",
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
    images = scrapy.Field()  # in-body pictures, in order: [{"url", "path"}], path None until stored
    text = scrapy.Field()
    markdown = scrapy.Field()
    path = scrapy.Field()
    # Not exported: used by the pipelines
    date = scrapy.Field()  # the address date, YYYY-MM-DD (US Eastern)
    section_slug = scrapy.Field()  # prog1138
    outcome = scrapy.Field()  # "new" or "updated", set when the store records it
    # True for an archived article handed back to retry its failed featured image (no page fetched)
    image_retry = scrapy.Field()
