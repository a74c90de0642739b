"""Article extraction (parse + fields + Markdown) in worker processes, beside the crawl.

Extraction is pure CPU work: in the crawl's process it competes with Scrapy's own work for one
core (the GIL), so when the site answers fast the crawl runs at the speed of one core. Worker
processes take it to the other cores. No thread is involved: each worker is a child process
spoken to over its stdin/stdout pipes from the event loop (a thread pool or
ProcessPoolExecutor adds threads that fight the crawl for the GIL on every hand-off).

Protocol: frames of a 4-byte big-endian length and a pickle; a job is
(job id, url, body, encoding, address, site_url, site_hosts), a reply is
(job id, dict of the item or None, error text or None). The worker also makes the item's
PreparedRecord ahead (records.py): the Markdown file, hash and stored JSON of its record.

Whatever goes wrong with a worker (it dies, it replies with an error, it cannot start), the
article is extracted in the crawl's own process instead, exactly as without workers, so no
article is lost and an exception in extraction surfaces as it always would."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import pickle
import resource
import signal
import struct
import subprocess
import sys

from scrapy.http import HtmlResponse, TextResponse

from crawler.faults import crash_point
from crawler.items import Article
from crawler.loaders import load_article
from crawler.paths import image_path
from crawler.percrawl import one_per_crawl
from crawler.records import PreparedRecord, prepare, record_of
from crawler.siteurls import ArticleAddress

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")
# Restarts of dead workers per run before extraction stays in the crawl's process
MAX_RESTARTS = 3
PIPE_SIZE = 1 << 20


def default_processes() -> int:
    """One worker when there is a core to spare for it; none on a single core."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


def _widen(pipe) -> None:
    """A pipe of 1 MiB instead of 64 KiB (Linux): a page and its item go through in one write
    and one read instead of a dozen."""
    # Not Linux, or over /proc/sys/fs/pipe-max-size: the pipe stays as it is
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)


class WorkerGone(RuntimeError):
    pass


class _Worker(asyncio.Protocol):
    """One child process and the jobs it has not answered yet."""

    def __init__(self, command: list[str], on_exit) -> None:
        self.command = command
        self.pending: dict[int, asyncio.Future] = {}
        self.buffer = bytearray()
        self.process: subprocess.Popen | None = None
        self.writer: asyncio.WriteTransport | None = None
        self.alive = False
        self.on_exit = on_exit

    async def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
            # The crawl's own import path: under Scrapyd the project is an egg on sys.path only
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        for pipe in (self.process.stdin, self.process.stdout):
            _widen(pipe)
        self.writer, _ = await loop.connect_write_pipe(asyncio.Protocol, self.process.stdin)
        await loop.connect_read_pipe(lambda: self, self.process.stdout)
        self.alive = True

    def submit(self, job_id: int, job: tuple) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.pending[job_id] = future
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(_HEADER.pack(len(data)))
        self.writer.write(data)
        return future

    # -- asyncio.Protocol, for the worker's stdout -------------------------------------------

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        start = 0
        with memoryview(buffer) as view:  # frames unpickled in place, not copied out
            while len(buffer) - start >= _HEADER.size:
                (size,) = _HEADER.unpack_from(buffer, start)
                end = start + _HEADER.size + size
                if len(buffer) < end:
                    break
                job_id, fields, error = pickle.loads(view[start + _HEADER.size : end])
                start = end
                future = self.pending.pop(job_id, None)
                if future is not None and not future.done():
                    future.set_result((fields, error))
        del buffer[:start]

    def connection_lost(self, exc) -> None:
        self.alive = False
        for future in self.pending.values():
            if not future.done():
                future.set_exception(WorkerGone("extraction worker exited"))
        self.pending.clear()
        self.on_exit(self)

    def stop(self) -> int | None:
        """Close the worker's input (it exits when it has answered everything) and reap it."""
        self.alive = False
        if self.writer is not None:
            self.writer.close()
        if self.process is None:
            return None
        # The transport closes its pipe on the loop's next turn; the wait below would block
        # that turn, so the pipe is closed now
        self.process.stdin.close()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


class ExtractionPool:
    """Extracts articles in `processes` worker processes (0: in the crawl's own process)."""

    def __init__(self, processes: int, stats=None, command: list[str] | None = None) -> None:
        self.processes = processes
        self.command = command or [sys.executable, "-m", "crawler.extraction"]
        self.stats = stats
        self.workers: list[_Worker] = []
        self.restarts = 0
        self.next_job = 0
        self.starting: asyncio.Task | None = None
        self.closed = False

    @classmethod
    def of_crawler(cls, crawler) -> ExtractionPool:
        def make() -> ExtractionPool:
            setting = crawler.settings.get("EXTRACTION_PROCESSES")
            processes = default_processes() if setting in (None, "") else int(setting)
            return cls(max(0, processes), crawler.stats)

        return one_per_crawl(crawler, "_ntd_extraction_pool", make, ExtractionPool.close)

    async def extract(
        self,
        response: TextResponse,
        address: ArticleAddress,
        site_url: str,
        site_hosts: frozenset[str],
    ) -> Article:
        worker = await self._worker()
        if worker is not None:
            self.next_job += 1
            job = (
                self.next_job,
                response.url,
                response.body,
                response.encoding,
                address,
                site_url,
                site_hosts,
            )
            try:
                fields, error = await worker.submit(self.next_job, job)
            except WorkerGone:
                self._count("ntd/extraction/worker_lost")
            else:
                if error is None:
                    return Article(fields)
                # Extracted again below, in this process, so that the error surfaces as usual
                self._count("ntd/extraction/worker_errors")
        self._count("ntd/extraction/in_process")
        return load_article(response, address, site_url, site_hosts)

    async def _worker(self) -> _Worker | None:
        if self.closed or self.processes == 0:
            return None
        if len(self.workers) < self.processes and self.restarts <= MAX_RESTARTS:
            if self.starting is None:
                self.starting = asyncio.ensure_future(self._start_workers())
            await asyncio.shield(self.starting)
        alive = [w for w in self.workers if w.alive]
        return min(alive, key=lambda w: len(w.pending)) if alive else None

    async def _start_workers(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while len(self.workers) < self.processes:
                worker = _Worker(self.command, self._worker_exited)
                await worker.start(loop)
                self.workers.append(worker)
        except OSError as exc:
            logger.warning("Extraction workers not started (%s): extracting in-process", exc)
            self.processes = len(self.workers)
        finally:
            self.starting = None

    def _worker_exited(self, worker: _Worker) -> None:
        if worker in self.workers:
            self.workers.remove(worker)
        if self.closed:
            return
        self.restarts += 1
        logger.warning(
            "Extraction worker exited (code %s); %s",
            worker.stop(),
            "starting another" if self.restarts <= MAX_RESTARTS else "extracting in-process",
        )

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def close(self) -> None:
        self.closed = True
        for worker in list(self.workers):
            worker.stop()
        self.workers.clear()


# -- the worker process ----------------------------------------------------------------------


def _read_exactly(stream, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def _prepare_ahead(item: Article) -> PreparedRecord | None:
    """What the pipelines will derive from the item's record once its featured image is stored
    (as it nearly always is), made here rather than in the crawl's busy process. None when it
    cannot be made (an article the pipelines will drop); the crawl's process makes whatever
    does not match in the end."""
    record = record_of(item)
    image = record.get("featured_image")
    if image and image.get("url"):
        record["featured_image"] = {**image, "path": image_path(image["url"])}
    try:
        return prepare(record)
    except Exception:  # noqa: BLE001
        return None


def serve(stdin, stdout) -> None:
    """Answer jobs until the input ends (the crawl closed it, or died)."""
    while True:
        header = _read_exactly(stdin, _HEADER.size)
        if header is None:
            return
        frame = _read_exactly(stdin, _HEADER.unpack(header)[0])
        if frame is None:
            return
        job_id, url, body, encoding, address, site_url, site_hosts = pickle.loads(frame)
        crash_point("worker-job")
        try:
            response = HtmlResponse(url, body=body, encoding=encoding)
            item = load_article(response, address, site_url, site_hosts)
        except Exception as exc:  # noqa: BLE001 - the crawl's process redoes it and reports it
            reply = (job_id, None, f"{type(exc).__name__}: {exc}")
        else:
            item["prepared"] = _prepare_ahead(item)
            reply = (job_id, dict(item), None)
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(_HEADER.pack(len(data)))
        stdout.write(data)
        stdout.flush()


def main() -> None:
    # Ctrl-C reaches the whole process group: the crawl shuts down gracefully and still needs
    # its worker for the pages in flight; the worker ends when the crawl closes its input
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The crawl's process is the one whose every moment counts (it alone runs the engine);
    # the worker takes what CPU is left, and idles when it is ahead
    os.nice(10)
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except BrokenPipeError:
        # The crawl is gone (killed): nobody is left to answer, nor to flush to at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    if os.environ.get("NTD_REPORT_WORKER_RSS"):  # for the benchmark's memory figures
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(
            f"extraction worker: peak RSS {usage.ru_maxrss // 1024} MiB, "
            f"CPU {usage.ru_utime + usage.ru_stime:.2f} s",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
