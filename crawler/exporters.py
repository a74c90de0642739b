"""The crawl's JSON lines feed (`-O file.jsonl`): each article as records.json_line writes it."""

from __future__ import annotations

from scrapy.exporters import JsonLinesItemExporter

from crawler.archive.records import json_line, record_of
from crawler.items import EXPORTED_FIELDS


class ArticleJsonLinesExporter(JsonLinesItemExporter):
    """The same line as `scrapy export` and a resumed job's feed write (crawler/jobfeed.py),
    made by one json.dumps of the record: Scrapy's exporter serializes field by field, which
    cost a crawl more CPU than the article's JSON itself. A feed whose options choose other
    fields is exported by Scrapy's way."""

    def export_item(self, item) -> None:
        fields = self.fields_to_export
        if not isinstance(fields, list | tuple) or tuple(fields) != EXPORTED_FIELDS:
            super().export_item(item)
            return
        self.file.write(json_line(record_of(item)).encode(self.encoding or "utf-8"))
