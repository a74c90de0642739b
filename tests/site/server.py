"""The replica of the source site: a real HTTP server on loopback (docs/site.md).

Pages are served for any Host; the pages it renders address images on a second host name
(`localhost` beside `127.0.0.1`), as the real site serves them from i.ntdtv.com.

    python -m tests.site.server --port 8000 --start 2021-06-20 --days 10 --per-day 30 --faults all

`/_replica/log` lists the paths requested so far (tests use it to count article requests);
`POST /_replica/revise?id=…` makes an article change (as an editor would on the real site).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import socket
import struct
import sys
import threading
import time
from collections import Counter, OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from tests.site import hostile, render
from tests.site.images import make_image, truncated_image
from tests.site.model import SiteModel, parse_faults

DAY_RE = re.compile(r"^/(gb|b5)/(\d{4})/(\d{2})/(\d{2})/(?:page/(\d+)/)?$")
ARTICLE_RE = re.compile(r"^/(gb|b5)/(\d{4})/(\d{2})/(\d{2})/(a\d+)\.html$")
TAG_RE = re.compile(r"^/(gb|b5)/([^/]+)\.htm$")
SECTION_RE = re.compile(r"^/(gb|b5)/(prog\d+)/?$")
UPLOAD_RE = re.compile(r"^/assets/uploads/\d{4}/\d{2}/([^/]+)$")


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 overflows when a crawl opens its 16 connections at
    # once: the kernel drops the SYNs and the client retries after 1 s, then 3 s
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], model: SiteModel) -> None:
        super().__init__(address, ReplicaHandler)
        self.model = model
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.log: list[str] = []
        self.pages: OrderedDict[tuple, str | None] = OrderedDict()

    def cached(self, key: tuple, render_page):
        """Pages are the same every time (the model is deterministic): rendered once, so the
        replica answers as fast as a real site's cache would."""
        with self.lock:
            if key in self.pages:
                self.pages.move_to_end(key)
                return self.pages[key]
        page = render_page()
        with self.lock:
            self.pages[key] = page
            if len(self.pages) > 4096:
                self.pages.popitem(last=False)
        return page

    def handle_error(self, request, client_address) -> None:
        # Clients that hang up mid-answer (killed crawls, timeouts) are part of the tests
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ReplicaHandler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers (up to 40 ms) on a kept-alive connection
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=UTF-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>")

    def _bases(self) -> tuple[str, str]:
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_port}"
        port = host.rsplit(":", 1)[1] if ":" in host else str(self.server.server_port)
        return f"http://{host}", f"http://localhost:{port}"

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path == "/_replica/revise":
            article_id = parse_qs(parts.query).get("id", [""])[0]
            with self.server.lock:
                revisions = self.server.model.revisions
                revisions[article_id] = revisions.get(article_id, 0) + 1
            self._send(200, b"revised", "text/plain")
            return
        self._not_found()

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        raw_path = urlsplit(self.path).path
        path = unquote(raw_path)
        model = self.server.model
        if path == "/_replica/log":
            with self.server.lock:
                body = json.dumps(self.server.log).encode()
            self._send(200, body, "application/json")
            return
        with self.server.lock:
            self.server.hits[path] += 1
            self.server.log.append(path)
            hits = self.server.hits[path]
        if hits <= model.flaky_failures(path):
            self._send(503 if hits % 2 else 500, b"<html><body>Service Unavailable</body></html>")
            return
        if delay := model.delay(path):
            time.sleep(delay)
        site_base, image_base = self._bases()
        if path == "/robots.txt":
            robots = render.ROBOTS_TXT
            if "hostile" in model.faults:
                ids = {a.case.name: a.id for a in model.hostile_articles()}
                robots += hostile.robots_lines(ids)
            self._send(200, robots.encode(), "text/plain")
        elif m := DAY_RE.match(path):
            self._html(self.server.cached(("day", path, site_base), lambda: self._day_page(m)))
        elif m := ARTICLE_RE.match(path):
            self._article(m, site_base, image_base)
        elif m := UPLOAD_RE.match(raw_path):
            self._image(unquote(m[1]) if "%2F" not in m[1].upper() else m[1])
        elif m := SECTION_RE.match(path):
            name = render.SECTIONS.get(m[2])
            articles = [a for a in model.all_articles(m[1]) if a.section_slug == m[2]]
            self._html(render.listing_page(model, m[1], name, articles) if name else None)
        elif m := TAG_RE.match(path):
            articles = [a for a in model.all_articles(m[1]) if f"/{m[2]}.htm" in a.body_html]
            self._html(render.listing_page(model, m[1], m[2], articles))
        elif path.startswith("/elsewhere/"):
            # Where articles of the hostile day redirect to: another host, a page that answers
            self._html(render.listing_page(model, "gb", "别处的页面", model.all_articles("gb")))
        elif path in ("/", "/gb/", "/b5/"):
            lang = "b5" if path == "/b5/" else "gb"
            self._html(render.listing_page(model, lang, "新唐人电视台", model.all_articles(lang)))
        else:
            self._not_found()

    def _day_page(self, m: re.Match[str]) -> str | None:
        site_base, image_base = self._bases()
        day = dt.date(int(m[2]), int(m[3]), int(m[4]))
        return render.archive_page(
            self.server.model, site_base, image_base, m[1], day, int(m[5] or 1)
        )

    def _html(self, page: str | None) -> None:
        if page is None:
            self._not_found()
        else:
            self._send(200, page.encode("utf-8"))

    def _article(self, m: re.Match[str], site_base: str, image_base: str) -> None:
        model = self.server.model
        try:
            day = dt.date(int(m[2]), int(m[3]), int(m[4]))
        except ValueError:
            self._not_found()
            return
        article = model.article(m[1], day, m[5])
        if article is None or model.is_gone(article):
            self._not_found()
            return
        if article.case is not None:
            self._hostile_article(article, site_base, image_base)
            return
        key = ("article", article.path, site_base, article.revision)
        self._html(
            self.server.cached(
                key, lambda: render.article_page(model, site_base, image_base, article)
            )
        )

    def _hostile_article(self, article, site_base: str, image_base: str) -> None:
        case = article.case
        if case.reply == "redirect_offsite":
            self._redirect(f"{image_base}/elsewhere/{article.id}.html")
        elif case.reply == "redirect_loop":
            self._redirect(article.path)
        elif case.reply == "status500":
            self._send(500, b"<html><body>Internal Server Error</body></html>")
        elif case.reply == "reset":
            # An RST instead of an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif case.reply == "stall_body":
            body = render.article_page(self.server.model, site_base, image_base, article).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            hostile.stall()
            self.close_connection = True
        else:
            html = render.article_page(self.server.model, site_base, image_base, article)
            body, content_type = hostile.encode_page(case, hostile.transform_page(case, html))
            self._send(200, body, content_type)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _image(self, name: str) -> None:
        if "hostile" in self.server.model.faults and self._hostile_image(name):
            return
        fault = self.server.model.image_fault(name)
        content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
        if fault == "missing":
            self._not_found()
        elif fault == "not-image":
            self._send(200, b"<html><body>Image moved</body></html>", content_type)
        elif fault == "truncated":
            self._send(200, truncated_image(name), content_type)
        else:
            self._send(200, make_image(name, huge=fault == "huge"), content_type)

    def _hostile_image(self, name: str) -> bool:
        """Serve the hostile images; False for any other name."""
        if name == "bomb-800x450.png":
            self._send(200, hostile.bomb_png(), "image/png")
        elif name == "enormous-800x450.jpg":
            self._send(200, hostile.enormous_jpeg(make_image(name)), "image/jpeg")
        elif name == "moved-800x450.jpg":
            # To another host name: images move to CDNs
            self._redirect(
                f"http://127.0.0.1:{self.server.server_port}/assets/uploads/2021/07/moved-target.jpg"
            )
        elif name == "stall-800x450.jpg":
            hostile.stall()
            self._send(200, make_image(name), "image/jpeg")
        else:
            return False
        return True


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--start", default="2021-06-20", help="first day with stories")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--per-day", type=int, default=30)
    parser.add_argument("--faults", default="none", help="comma-separated, or 'all'")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    model = SiteModel(
        dt.date.fromisoformat(args.start), args.days, args.per_day, parse_faults(args.faults)
    )
    server = ReplicaServer((args.host, args.port), model)
    print(f"replica serving on http://{args.host}:{server.server_port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
