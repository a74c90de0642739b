"""The crawler against a bare spider, its CPU per article against trafilatura, its memory.

    python -m bench.run            # the full table (about twenty minutes on 2 cores)
    python -m bench.run --quick    # smaller replicas, for a quick look
    python -m bench.run --throughput-only  # only the full crawler against the bare spider
    python -m bench.run --scale-only  # only the 2-day run on a 2,000- and a 30,000-article archive
    python -m bench.run --site-only DIR  # only `scrapy site` on the archives --scale-keep DIR kept
    python -m bench.run --instructions  # only instructions per article, full against bare

Every figure comes from runs made in this go on this machine; ratios compare runs of this go.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from tests.site.replica import Replica  # noqa: E402

FAST = [
    "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "CONCURRENT_REQUESTS=16",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s", "LOG_LEVEL=INFO",
    "-s", "ROBOTSTXT_OBEY=True",
]  # fmt: skip
START = dt.date(2021, 6, 1)


GNU_TIME = "/usr/bin/time"


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and the children it waited for
    rss: int  # peak RSS of the command's process, MiB
    log: str
    written: int = 0  # bytes the kernel counted as written to disk (rusage ru_oublock x 512)


def run_measured(command: list[str]) -> Run:
    """Run a command as a child process and measure it.

    The peak RSS is GNU time's: the rusage of a child that this (large) process forks counts
    the memory of the fork before its exec, so it cannot be read here."""
    if Path(GNU_TIME).exists():
        command = [GNU_TIME, "-f", "peak-rss-kb=%M", *command]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    # Bytecode caching on, as on any installed machine (this one sets PYTHONDONTWRITEBYTECODE,
    # which makes every run compile the project's modules again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        _, status, rusage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        log.seek(0)
        err = log.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:6]} failed ({status}):\n{err[-3000:]}")
    peak = re.search(r"peak-rss-kb=(\d+)", err)
    return Run(
        wall=wall,
        cpu=rusage.ru_utime + rusage.ru_stime,
        rss=(int(peak[1]) if peak else rusage.ru_maxrss) // 1024,
        log=err,
        written=rusage.ru_oublock * 512,
    )


def crawl_command(
    site_url: str, archive: Path, days: int, feed: Path, *settings: str, start: dt.date = START
) -> list[str]:
    end = start + dt.timedelta(days=days - 1)
    return [
        sys.executable, "-m", "scrapy", "crawl", "ntd",
        "-a", f"start={start}", "-a", f"end={end}",
        "-s", f"SITE_URL={site_url}", "-s", f"ARCHIVE_DIR={archive}", "-O", str(feed), *FAST,
        *settings,
    ]  # fmt: skip


def bare_command(site_url: str, days: int, start: dt.date = START) -> list[str]:
    end = start + dt.timedelta(days=days - 1)
    return [
        sys.executable, "-m", "scrapy", "runspider", str(PROJECT_ROOT / "bench/bare_spider.py"),
        "-a", f"start={start}", "-a", f"end={end}", "-a", f"site_url={site_url}", *FAST,
    ]  # fmt: skip


def stat(log: str, name: str) -> int:
    m = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(m[1]) if m else 0


def throughput(days: int, per_day: int, rows: list[tuple[str, str]], repeat: int) -> int:
    """Bare and full runs, interleaved `repeat` times: this machine's speed drifts by 20 %
    from minute to minute, so the medians are compared, and each pair ran side by side.

    Every run's archive is kept until all are done: deleting thousands of files makes the next
    minute's file creations on this disk (ext4, mounted with `discard`) cost ten times more
    kernel time (measured: 400-600 µs per new file instead of 30-60), which a user's run does
    not pay and which the bare spider, writing nothing, would never see."""
    articles = days * per_day
    bare, full, second = [], [], []
    second_articles = 0
    with (
        Replica("--start", str(START), "--days", str(days), "--per-day", str(per_day)) as site,
        tempfile.TemporaryDirectory() as tmp,
    ):
        # Warm the replica's page cache so that neither run pays for making pages or images
        run_measured(bare_command(site.url, days))
        for i in range(repeat):
            bare.append(run_measured(bare_command(site.url, days)))
            archive, feed = Path(tmp) / f"archive{i}", Path(tmp) / f"run{i}.jsonl"
            full.append(run_measured(crawl_command(site.url, archive, days, feed)))
            before = len(site.requested_paths())
            second.append(
                run_measured(crawl_command(site.url, archive, days, Path(tmp) / f"again{i}.jsonl"))
            )
            second_articles = sum(1 for p in site.requested_paths()[before:] if p.endswith(".html"))

    def median(runs: list[Run], what: str = "wall") -> float:
        return statistics.median(getattr(r, what) for r in runs)

    def walls(runs: list[Run]) -> str:
        return ", ".join(f"{r.wall:.1f}" for r in runs)

    def line(runs: list[Run]) -> str:
        wall = median(runs)
        return (
            f"{wall:.1f} s = {articles / wall:.0f} articles/s, CPU {median(runs, 'cpu'):.1f} s"
            f"  [{walls(runs)}]"
        )

    bare_wall, full_wall = median(bare), median(full)
    full_rss = max(r.rss for r in full)
    rows += [
        (
            f"articles in the replica ({days} days)",
            f"{articles} (archived: {stat(full[-1].log, 'ntd/articles/new')})",
        ),
        (f"bare spider: wall time (median of {repeat})", line(bare)),
        (f"full crawler: wall time (median of {repeat})", line(full)),
        ("full / bare wall time (target <= 1.6)", f"{full_wall / bare_wall:.2f}"),
        (
            "full / bare CPU time (target <= 1.6)",
            f"{median(full, 'cpu') / median(bare, 'cpu'):.2f}",
        ),
        (
            f"full crawler: peak RSS at {articles} articles",
            f"{full_rss} MiB (bare: {max(r.rss for r in bare)} MiB)",
        ),
        ("second run over the same days: wall time", f"{median(second):.1f} s  [{walls(second)}]"),
        ("second / first run time (target <= 0.15)", f"{median(second) / full_wall:.3f}"),
        ("second run: article requests (target 0)", f"{second_articles}"),
    ]
    return full_rss


def instructions(rows: list[tuple[str, str]], per_day: int = 100) -> None:
    """Instructions per article of the full crawler and of the bare spider, counted by
    valgrind (callgrind): unlike times, the counts do not drift with the machine, so a change
    of a few per cent shows. Each command runs over 1 day and over 3 days of the replica; the
    difference, over the articles of the 2 extra days, leaves out start-up and shut-down. The
    four runs go side by side (the counts do not depend on it), about five minutes on 2 cores.
    Instructions weigh alike what time does not: vectorised C (zlib, libjpeg) costs fewer
    cycles an instruction than Python."""
    valgrind = "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"
    with (
        Replica("--start", str(START), "--days", "3", "--per-day", str(per_day)) as site,
        tempfile.TemporaryDirectory() as tmp,
    ):
        run_measured(bare_command(site.url, 3))  # the replica's pages made once
        commands = {}
        for days in (1, 3):
            commands["bare", days] = bare_command(site.url, days)
            archive, feed = Path(tmp) / f"archive{days}", Path(tmp) / f"run{days}.jsonl"
            commands["full", days] = crawl_command(site.url, archive, days, feed)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        slow = ["-s", "DOWNLOAD_TIMEOUT=600"]  # valgrind runs Python some fifty times slower
        running = {
            key: subprocess.Popen(
                [*valgrind, *command, *slow],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for key, command in commands.items()
        }
        counts = {}
        for key, process in running.items():
            _, err = process.communicate()
            found = re.search(r"Collected : (\d+)", err)
            if process.returncode != 0 or not found:
                raise RuntimeError(f"{key} under valgrind failed:\n{err[-3000:]}")
            counts[key] = int(found[1])
    articles = 2 * per_day
    bare = (counts["bare", 3] - counts["bare", 1]) / articles
    full = (counts["full", 3] - counts["full", 1]) / articles
    rows += [
        ("bare spider: instructions per article", f"{bare / 1e6:.1f} M"),
        ("full crawler: instructions per article", f"{full / 1e6:.1f} M"),
        ("full / bare instructions per article", f"{full / bare:.2f}"),
    ]


def archive_files(archive: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under the archive but .state: path -> (inode, size, mtime in ns)."""
    files = {}
    state = os.path.join(archive, ".state")
    stack = [str(archive)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.path != state:
                        stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    files[entry.path] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return files


def written_bytes(before: dict[str, tuple[int, int, int]], after: dict) -> int:
    """Sizes of the files created or changed (new inode, size or time) between two listings."""
    return sum(f[1] for path, f in after.items() if before.get(path) != f)


def scale(
    rows: list[tuple[str, str]],
    per_day: int,
    small_days: int,
    large_days: int,
    repeat: int,
    keep: Path | None = None,
) -> int:
    """The same 2-day scheduled run (2 days the archive does not have yet) on a small and on a
    large archive, both made by crawling the replica: the cost of a daily run should not grow
    with the archive. Returns the peak RSS of the large backfill, MiB.

    Each repeat starts from a copy of the archive (cp -a, not timed), small and large
    interleaved; every copy is kept until the end (see throughput: deleting thousands of files
    makes the next file creations on this disk slower), and after it in `keep` if given."""
    new_days = 2
    # The large archive ends on day `small_days` of a month and the small one is that month's
    # first `small_days` days: both hold the same current month, whose pages a daily run
    # rewrites and which grow through the month whatever the archive's size, so only the
    # size of the archive differs. The 2 new days follow.
    large_end = dt.date(2022, 3, small_days)
    large_start = large_end - dt.timedelta(days=large_days - 1)
    small_start = large_end - dt.timedelta(days=small_days - 1)
    new_start = large_end + dt.timedelta(days=1)
    small_n, large_n = small_days * per_day, large_days * per_day
    total_days = str(large_days + new_days)
    replica = ("--start", str(large_start), "--days", total_days, "--per-day", str(per_day))
    with Replica(*replica) as site, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if keep:
            keep.mkdir(parents=True)
            tmp = keep
        small, large = tmp / "small", tmp / "large"
        backfill = run_measured(
            crawl_command(site.url, large, large_days, tmp / "large.jsonl", start=large_start)
        )
        run_measured(
            crawl_command(site.url, small, small_days, tmp / "small.jsonl", start=small_start)
        )
        # The replica makes each new day's pages once: both sizes see them already made
        run_measured(bare_command(site.url, new_days, start=new_start))
        runs: dict[str, list[tuple[Run, int]]] = {"small": [], "large": []}
        for i in range(repeat):
            for name, archive in (("small", small), ("large", large)):
                copy = tmp / f"{name}{i}"
                subprocess.run(["cp", "-a", str(archive), str(copy)], check=True)
                # The copy on disk first: the crawl's syncfs before each commit (ARCHIVE_SYNC)
                # would otherwise write out the whole copy, 15 times larger for the large one
                os.sync()
                before = archive_files(copy)
                feed = tmp / f"{name}{i}.jsonl"
                run = run_measured(crawl_command(site.url, copy, new_days, feed, start=new_start))
                runs[name].append((run, written_bytes(before, archive_files(copy))))
        new_articles = stat(runs["large"][-1][0].log, "ntd/articles/new")

    def median(name: str, what) -> float:
        return statistics.median(what(run, files) for run, files in runs[name])

    wall = {n: median(n, lambda r, f: r.wall) for n in runs}
    cpu = {n: median(n, lambda r, f: r.cpu) for n in runs}
    files = {n: median(n, lambda r, f: f) for n in runs}
    kernel = {n: median(n, lambda r, f: r.written) for n in runs}

    def line(name: str) -> str:
        walls = ", ".join(f"{r.wall:.1f}" for r, _ in runs[name])
        return (
            f"{wall[name]:.1f} s, CPU {cpu[name]:.1f} s, {files[name] / 1e6:.1f} MB written"
            f" (kernel count, store included: {kernel[name] / 1e6:.1f} MB)  [{walls}]"
        )

    rows += [
        (
            f"scale: archives made by crawling {large_days} days x {per_day} articles",
            f"{large_start} to {large_end} ({large_n:,}; backfill {backfill.wall:.0f} s,"
            f" CPU {backfill.cpu:.0f} s), its last {small_days} days ({small_n:,})",
        ),
        (
            f"scale: 2-day run from {new_start} ({new_days * per_day} new articles,"
            f" archived: {new_articles})",
            f"median of {repeat}, each from a copy of the archive",
        ),
        (f"scale: 2-day run on {small_n:,} articles", line("small")),
        (f"scale: 2-day run on {large_n:,} articles", line("large")),
        (
            f"scale: {large_n:,} / {small_n:,} wall (target <= 1.15)",
            f"{wall['large'] / wall['small']:.2f}",
        ),
        (
            f"scale: {large_n:,} / {small_n:,} CPU (target <= 1.15)",
            f"{cpu['large'] / cpu['small']:.2f}",
        ),
        (
            f"scale: {large_n:,} / {small_n:,} bytes written (target <= 1.5)",
            f"{files['large'] / files['small']:.2f} (kernel count: "
            f"{kernel['large'] / max(kernel['small'], 1):.2f})",
        ),
        (f"scale: peak RSS of the {large_n:,}-article backfill", f"{backfill.rss} MiB"),
    ]
    return backfill.rss


def cpu_per_article(rows: list[tuple[str, str]]) -> None:
    import lxml.html
    import trafilatura
    from scrapy.http import HtmlResponse

    from crawler.archive.pages import render_article
    from crawler.archive.records import record_of
    from crawler.site.loaders import load_article
    from crawler.site.urls import parse_article_url
    from tests.site.model import ReplicaArticle, SiteModel, load_sources
    from tests.site.render import article_page

    site, images = "http://127.0.0.1:8000", "http://localhost:8000"
    model = SiteModel(START, 1, 1)
    pages = []
    for i, source in enumerate(load_sources()):
        article = ReplicaArticle(f"a{5000000 + i}", "gb", START, i % 50, source)
        pages.append((f"{site}{article.path}", article_page(model, site, images, article), source))

    def ours(url: str, html: str) -> str:
        response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
        item = load_article(response, parse_article_url(url), site, frozenset({"127.0.0.1"}))
        render_article(record_of(item))
        return item["text"]

    def theirs(url: str, html: str) -> str:
        trafilatura.extract(html, output_format="markdown", url=url)
        return trafilatura.extract(html, output_format="txt", url=url) or ""

    def timed(function, repeat: int) -> float:
        best = float("inf")
        for _ in range(repeat):
            started = time.process_time()
            for url, html, _ in pages:
                function(url, html)
            best = min(best, time.process_time() - started)
        return best * 1000 / len(pages)

    floor = timed(lambda url, html: lxml.html.fromstring(html), 5)
    ours_ms = timed(ours, 5)
    # trafilatura's own markdown only (its text for accuracy is extracted apart, untimed)
    theirs_ms = timed(
        lambda url, html: trafilatura.extract(html, output_format="markdown", url=url), 3
    )

    def accuracy(function) -> tuple[float, float]:
        scores = []
        for url, html, source in pages:
            got = re.sub(r"\s+", "", function(url, html))
            want = re.sub(r"\s+", "", source["body_text"])
            scores.append(difflib.SequenceMatcher(None, got, want, autojunk=False).ratio())
        exact = sum(s == 1.0 for s in scores) / len(scores)
        return statistics.mean(scores), exact

    ours_acc, ours_exact = accuracy(ours)
    theirs_acc, theirs_exact = accuracy(theirs)
    rows += [
        ("article pages measured (corpus + synthetic)", f"{len(pages)}"),
        ("lxml parse only (floor): CPU per article", f"{floor:.2f} ms"),
        (
            "ours, extraction + Markdown: CPU per article",
            f"{ours_ms:.2f} ms = {ours_ms / floor:.1f} x floor",
        ),
        (
            "trafilatura markdown: CPU per article",
            f"{theirs_ms:.2f} ms = {theirs_ms / floor:.1f} x floor",
        ),
        ("ours / trafilatura CPU (target <= 0.33)", f"{ours_ms / theirs_ms:.2f}"),
        ("text accuracy, ours", f"{ours_acc:.4f} mean similarity, {ours_exact:.0%} exact"),
        (
            "text accuracy, trafilatura",
            f"{theirs_acc:.4f} mean similarity, {theirs_exact:.0%} exact",
        ),
    ]


def distributed(rows: list[tuple[str, str]], days: int, per_day: int) -> None:
    """Articles per second with one and with two ntd-worker processes sharing a Redis queue."""
    import shutil
    import socket

    import redis
    from scrapy import Request
    from scrapy_redis import picklecompat

    server = shutil.which("redis-server")
    if server is None:
        rows.append(("distributed workers", "skipped: no redis-server on this machine"))
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    redis_process = subprocess.Popen(
        [server, "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    idle = 2
    end = START + dt.timedelta(days=days - 1)
    try:
        time.sleep(0.5)
        with Replica("--start", str(START), "--days", str(days), "--per-day", str(per_day)) as site:
            for workers in (1, 2):
                redis.Redis.from_url(url).flushall()
                seed = [sys.executable, "-m", "scrapy", "seed", "--start", str(START), "--end", str(end), "-s", f"REDIS_URL={url}"]  # fmt: skip
                subprocess.run(seed, cwd=PROJECT_ROOT, check=True, capture_output=True)
                with tempfile.TemporaryDirectory() as tmp:
                    command = lambda i: [  # noqa: E731
                        sys.executable, "-m", "scrapy", "crawl", "ntd-worker",
                        "-s", f"SITE_URL={site.url}", "-s", f"ARCHIVE_DIR={tmp}/w{i}",
                        "-s", f"REDIS_URL={url}", "-s", f"MAX_IDLE_TIME_BEFORE_CLOSE={idle}", *FAST,
                    ]  # fmt: skip
                    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
                    env.pop("PYTHONDONTWRITEBYTECODE", None)
                    started = time.perf_counter()
                    processes = [
                        subprocess.Popen(
                            command(i), cwd=PROJECT_ROOT, env=env, stderr=subprocess.DEVNULL
                        )
                        for i in range(workers)
                    ]
                    for p in processes:
                        p.wait()
                    wall = time.perf_counter() - started - idle
                rows.append(
                    (
                        f"distributed: {workers} worker(s), {days * per_day} articles",
                        f"{wall:.1f} s = {days * per_day / wall:.0f} articles/s (idle wait excluded)",
                    )
                )
    finally:
        redis_process.terminate()
        redis_process.wait()
    # What one queued article request costs in Redis (scrapy-redis pickles its dict)
    from crawler.site.urls import parse_article_url
    from crawler.spiders.ntd import NtdSpider

    spider = NtdSpider(start=str(START))
    address = parse_article_url("https://www.ntdtv.com/gb/2021/06/23/a103149816.html")
    request = Request(
        address.url,
        callback=spider.parse_article,
        errback=spider.article_failed,
        cb_kwargs={"address": address},
        meta={"download_maxsize": 5 << 20},
        priority=10,
        dont_filter=True,
    )
    size = len(picklecompat.dumps(request.to_dict(spider=spider)))
    rows.append(("Redis: one queued article request", f"{size} bytes serialized"))


def site(rows: list[tuple[str, str]], kept: Path) -> None:
    """`scrapy site` on the large archive that scale() kept (30,000 articles; 3,000 --quick): a
    full build, then a rebuild after the 2-day run (its copy large0, same files and times but
    what the run wrote), into the same SITE_DIR."""
    from crawler.website.build import build

    with tempfile.TemporaryDirectory() as tmp:
        site_dir = Path(tmp) / "site"
        full = build(kept / "large", site_dir)
        again = build(kept / "large0", site_dir)
    rows += [
        (f"site: full build, {full.pages:,} pages", full.summary()),
        ("site: rebuild after a 2-day run", again.summary()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller replicas")
    parser.add_argument("--only-distributed", action="store_true")
    parser.add_argument(
        "--scale-only",
        action="store_true",
        help="only the 2-day run on a small and a large archive",
    )
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="only the full crawler against the bare spider (3,000 articles, 3 pairs)",
    )
    parser.add_argument(
        "--scale-keep", type=Path, metavar="DIR", help="keep the scale archives in DIR (new)"
    )
    parser.add_argument(
        "--site-only",
        type=Path,
        metavar="DIR",
        help="only `scrapy site` on the archives that --scale-keep DIR kept",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="only instructions per article, full crawler against bare spider (valgrind)",
    )
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    if args.instructions:
        instructions(rows)
        _print(rows)
        return
    if args.site_only:
        site(rows, args.site_only)
        _print(rows)
        return
    if args.only_distributed:
        distributed(rows, 10, 100)
        _print(rows)
        return
    # 2,000 and 30,000 articles (quick: 300 and 3,000)
    scale_shape = (30, 10, 100) if args.quick else (100, 20, 300)
    if args.scale_only:
        scale(rows, *scale_shape, repeat=3, keep=args.scale_keep)
        _print(rows)
        return
    small = (10, 30) if args.quick else (30, 100)
    if args.throughput_only:
        throughput(*small, rows, repeat=1 if args.quick else 3)
        _print(rows)
        return
    cpu_per_article(rows)
    rss_small = throughput(*small, rows, repeat=1 if args.quick else 3)
    # The large archive's backfill (days x per_day as the small replica's) gives the peak RSS
    per_day, _, large_days = scale_shape
    with tempfile.TemporaryDirectory() as tmp:
        kept = Path(tmp) / "scale"
        rss_large = scale(rows, *scale_shape, repeat=1 if args.quick else 3, keep=kept)
        # `scrapy site` on the large archive: a full build, then the rebuild after a 2-day run
        site(rows, kept)
    large = per_day * large_days
    rows += [
        (f"full crawler: peak RSS at {large} articles", f"{rss_large} MiB"),
        (
            f"peak RSS growth {small[0] * small[1]} -> {large} (target <= 50 MiB)",
            f"{rss_large - rss_small:+d} MiB",
        ),
    ]
    distributed(rows, 10, 30 if args.quick else 100)
    _print(rows)


def _print(rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
