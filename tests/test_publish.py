"""Publishing (docs/publishing.md) against real git: a bare repository served by `git daemon`
on loopback and a `file://` remote; QR codes decoded with zbarimg (Debian's zbar-tools)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from crawler.publish import redact, size_warning
from crawler.qrcodes import public_address
from tests.conftest import crawl, free_port, run_scrapy
from tests.site.replica import Replica

DAY1 = ["-a", "start=2021-06-20"]
DAY2 = ["-a", "start=2021-06-21"]
PUBLIC = "https://github.com/ntd-archive/ntd-mirror/blob/main/"
ARTICLE_RE = re.compile(r"^(?:gb|b5)/\d{4}/\d{2}/\d{2}/a\d+\.md$")
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")

pytestmark = pytest.mark.skipif(
    not shutil.which("git") or not shutil.which("zbarimg"),
    reason="needs git and zbarimg (make test installs them)",
)


@pytest.fixture(scope="module")
def site():
    with Replica("--start", "2021-06-20", "--days", "2", "--per-day", "8") as s:
        yield s


def git(*args: str, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@t",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@t",
    )
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def bare(path: Path) -> Path:
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    return path


def commits(bare_repo: Path) -> list[str]:
    """Subjects of the remote's branch main, newest first ([] when it has none)."""
    result = subprocess.run(
        ["git", "--git-dir", str(bare_repo), "log", "--format=%s", "main"],
        capture_output=True,
        text=True,
    )
    return result.stdout.splitlines() if result.returncode == 0 else []


class GitDaemon:
    """`git daemon` serving a folder of bare repositories on loopback, push enabled."""

    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port, self.process = base, port, None

    def start(self) -> GitDaemon:
        self.process = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={self.port}",
             f"--base-path={self.base}", "--export-all", "--enable=receive-pack", str(self.base)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("git daemon did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"


def publish_crawl(site, archive: Path, remote: str, *args: str, public=PUBLIC):
    return crawl(
        site.url, archive, *args, "-s", f"PUBLISH_REMOTE={remote}", "-s", f"PUBLIC_URL={public}"
    )


def report(archive: Path) -> dict:
    return json.loads((archive / ".state/last-run.json").read_text("utf-8"))


def checkout(bare_repo: Path, into: Path) -> Path:
    git("clone", "--quiet", "--branch", "main", str(bare_repo), str(into))
    return into


def decode(png: Path) -> str:
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, f"{png}: {result.stderr}"
    return result.stdout.strip()


def check_published_tree(tree: Path, public: str) -> int:
    """No store or state file, every relative link resolves, every code decodes to its
    article's public address. Returns the number of articles."""
    files = [p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()]
    files = [f for f in files if not f.startswith(".git/")]
    assert not [f for f in files if f.startswith(".state/") or "/.tmp-" in f or "sqlite" in f]
    articles = [f for f in files if ARTICLE_RE.match(f)]
    assert articles
    for name in files:
        if not name.endswith(".md"):
            continue
        text = (tree / name).read_text("utf-8")
        for target in LINK_RE.findall(text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = (tree / name).parent / unquote(target.split("#")[0])
            assert resolved.exists(), f"{name}: broken link {target}"
    for name in articles:
        png = tree / (name[:-3] + ".png")
        assert png.exists(), f"no QR code beside {name}"
        assert decode(png) == public_address(public, name)
        assert f"]({png.name})" in (tree / name).read_text("utf-8")
    return len(articles)


def test_runs_publish_through_git_daemon(site, tmp_path):
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    remote = bare(remotes / "mirror.git")
    daemon = GitDaemon(remotes, free_port()).start()
    archive = tmp_path / "archive"
    try:
        # The first run commits and pushes
        first = publish_crawl(site, archive, daemon.url("mirror.git"), *DAY1)
        assert first.returncode == 0, first.stderr[-3000:]
        assert commits(remote) == [commits(remote)[0]] and "2021-06-20" in commits(remote)[0]
        assert re.search(r"\d+ new, 0 updated articles", commits(remote)[0])
        assert report(archive)["publication"]["commits_pushed"] == 1

        # Nothing new: no commit
        again = publish_crawl(site, archive, daemon.url("mirror.git"), *DAY1)
        assert again.returncode == 0, again.stderr[-3000:]
        assert len(commits(remote)) == 1
        assert report(archive)["publication"]["commit"] is None

        # The remote down: the commit stays local, status 6, the report says why
        daemon.stop()
        down = publish_crawl(site, archive, daemon.url("mirror.git"), *DAY2)
        assert down.returncode == 6, down.stderr[-3000:]
        assert report(archive)["status"] == "publish_failed"
        assert "not published" in report(archive)["problem"]
        assert "Publication failed" in down.stderr
        assert len(commits(remote)) == 1
        assert (archive / "gb/2021/06/21").is_dir()

        # Back up: the next run (nothing new) pushes the kept commit
        daemon.start()
        back = publish_crawl(site, archive, daemon.url("mirror.git"), *DAY2)
        assert back.returncode == 0, back.stderr[-3000:]
        assert len(commits(remote)) == 2
        assert report(archive)["publication"]["commits_pushed"] == 1
        assert "2021-06-21" in commits(remote)[0]
        count = check_published_tree(checkout(remote, tmp_path / "clone"), PUBLIC)
        assert count == 16

        # PUBLIC_URL changed: every code made again, in one more commit
        moved = "https://example.org/ntd/"
        changed = publish_crawl(site, archive, daemon.url("mirror.git"), *DAY2, public=moved)
        assert changed.returncode == 0, changed.stderr[-3000:]
        assert len(commits(remote)) == 3
        check_published_tree(checkout(remote, tmp_path / "clone2"), moved)
    finally:
        daemon.stop()


def test_killed_while_publishing_the_next_run_recovers(site, tmp_path):
    remote = bare(tmp_path / "mirror.git")
    url = f"file://{remote}"
    archive = tmp_path / "archive"
    env_kill = {"NTD_CRASH_AT": "publish:staged:1"}
    os.environ.update(env_kill)
    try:
        killed = publish_crawl(site, archive, url, *DAY1)
    finally:
        os.environ.pop("NTD_CRASH_AT")
    assert killed.returncode == -signal.SIGKILL
    assert commits(remote) == []
    # As a git killed mid-commit leaves it
    (archive / ".git/index.lock").write_bytes(b"")

    # A git process still using the repository: its lock is left alone, status 6
    holder = subprocess.Popen(
        ["git", "cat-file", "--batch"], cwd=archive, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        busy = run_scrapy("publish", "-s", f"ARCHIVE_DIR={archive}", "-s", f"PUBLISH_REMOTE={url}")
        assert busy.returncode == 6, busy.stderr
        assert "another git process" in busy.stderr
        assert (archive / ".git/index.lock").exists()
    finally:
        holder.kill()
        holder.wait()

    recovered = publish_crawl(site, archive, url, *DAY1)
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert report(archive)["publication"]["locks_removed"] == [".git/index.lock"]
    assert len(commits(remote)) == 1
    check_published_tree(checkout(remote, tmp_path / "clone"), PUBLIC)

    # By hand, nothing changed: no commit, status 0
    manual = run_scrapy("publish", "-s", f"ARCHIVE_DIR={archive}", "-s", f"PUBLISH_REMOTE={url}")
    assert manual.returncode == 0, manual.stderr
    assert "Nothing changed" in manual.stderr
    assert len(commits(remote)) == 1

    # Someone else pushed: refused in one line, never forced
    other = checkout(remote, tmp_path / "other")
    (other / "NOTE.md").write_text("not ours\n")
    git("add", "NOTE.md", cwd=other)
    git("commit", "--quiet", "-m", "not ours", cwd=other)
    git("push", "--quiet", "origin", "main", cwd=other)
    diverged = publish_crawl(site, archive, url, *DAY2)
    assert diverged.returncode == 6
    lines = [line for line in diverged.stderr.splitlines() if "has commits this archive" in line]
    assert len(lines) == 1
    assert commits(remote)[0] == "not ours"


def test_a_token_in_the_remote_never_shows(site, tmp_path):
    secret = "ghp_SeCrEtToKeN0123456789"
    url = f"http://x-access-token:{secret}@127.0.0.1:{free_port()}/mirror.git"
    archive = tmp_path / "archive"
    result = publish_crawl(site, archive, url, *DAY1)
    assert result.returncode == 6, result.stderr[-3000:]
    assert secret not in result.stdout + result.stderr
    assert "Publication failed" in result.stderr
    for path in archive.rglob("*"):
        if path.is_file() and path != archive / ".git/config":
            assert secret.encode() not in path.read_bytes(), path
    manual = run_scrapy("publish", "-s", f"ARCHIVE_DIR={archive}", "-s", f"PUBLISH_REMOTE={url}")
    assert manual.returncode == 6
    assert secret not in manual.stdout + manual.stderr


def test_without_public_url_no_codes_and_no_share_line(site, tmp_path):
    archive = tmp_path / "archive"
    result = crawl(site.url, archive, *DAY1)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list(archive.glob("gb/**/a*.png"))
    assert not (archive / ".git").exists()
    assert "二维码" not in "".join(p.read_text("utf-8") for p in archive.rglob("a*.md"))


def test_size_warnings_and_redaction():
    assert size_warning(900_000_000) is None
    assert "1 GB" in size_warning(1_200_000_000)
    assert "5 GB" in size_warning(6_000_000_000)
    assert redact("fatal: https://u:tok@h/x.git", "https://u:tok@h/x.git") == (
        "fatal: https://***@h/x.git"
    )
