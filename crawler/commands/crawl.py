"""`scrapy crawl`, with the spider's arguments checked before anything starts: a bad argument
prints one line naming it and exits with status 2, having written nothing."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if len(args) == 1 and self.crawler_process is not None:
            spider_cls = self.crawler_process.spider_loader.load(args[0])
            check = getattr(spider_cls, "check_arguments", None)
            if check is not None:
                try:
                    check(**opts.spargs)
                except ValueError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    self.exitcode = 2
                    return
        super().run(args, opts)
