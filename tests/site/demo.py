"""The offline demo: start the replica of the site on localhost and crawl a few of its days
into ./archive (with ./archive.jsonl), as a user would crawl the real site."""

from __future__ import annotations

import subprocess
import sys

from tests.site.replica import PROJECT_ROOT, Replica

START, END = "2021-06-20", "2021-06-22"


def main() -> int:
    with Replica("--start", START, "--days", "3", "--per-day", "25", "--faults", "all") as site:
        print(f"Replica of the site running at {site.url}", flush=True)
        command = [
            sys.executable, "-m", "scrapy", "crawl", "ntd",
            "-a", f"start={START}", "-a", f"end={END}",
            "-s", f"SITE_URL={site.url}",
            "-s", "ARCHIVE_DIR=archive",
            # Our own server on loopback: no need to be gentle with it
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
            "-s", "LOG_LEVEL=INFO",
            "-O", "archive.jsonl",
        ]  # fmt: skip
        print("$", " ".join(command), flush=True)
        status = subprocess.call(command, cwd=PROJECT_ROOT)
    if status == 0:
        print(f"\nDone. Open {PROJECT_ROOT / 'archive' / 'README.md'} (the archive's home page);")
        print(f"JSON lines of this run: {PROJECT_ROOT / 'archive.jsonl'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
