"""Publishing the archive: ARCHIVE_DIR is a git work tree; each run ends with one commit of
what it changed (its summary as the message) and a push to PUBLISH_REMOTE (docs/publishing.md).

Everything goes through the `git` program (Debian's package), one function per step. What is
not for readers (`.state/`: the store, run reports, raw pages; temporary files) is kept out by
the repository's own `.git/info/exclude`, which is not published. Never a force-push: a remote
branch that has commits this archive does not have is refused. A remote URL may carry a token:
every message that leaves this module has it removed (`redact`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from scrapy import signals as scrapy_signals

from crawler.archive.files import archive_file, write_atomic
from crawler.archive.paths import ARTICLE_FILE_RE
from crawler.crashpoints import crash_point

logger = logging.getLogger(__name__)

REMOTE_NAME = "publish"
EXCLUDES = (
    "# Written by ntd-archive (crawler/publish.py): what is not for readers is never committed\n"
    "/.state/\n"
    ".tmp-*\n"
)
# GitHub's recommendations for a repository's size
SIZE_WARNINGS = (5_000_000_000, 1_000_000_000)
_USERINFO_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
# Git's lock files, which a git process killed while it held them leaves behind
_LOCK_FILES = ("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock")


class PublishError(Exception):
    """A publication step failed; the message is one line, free of any credential."""

    UNREACHABLE = "unreachable"
    REFUSED = "refused"
    DIVERGED = "diverged"
    BUSY = "busy"
    NO_GIT = "no_git"
    FAILED = "failed"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def redact(text: str, secret: str | None = None) -> str:
    """`text` with the remote URL's credentials (user:token@) removed."""
    if secret:
        text = text.replace(secret, redact_url(secret))
    return _USERINFO_RE.sub(r"\1***@", text)


def redact_url(url: str) -> str:
    return _USERINFO_RE.sub(r"\1***@", url)


@dataclass
class Repository:
    """The archive as a git work tree; every command runs with its GIT_DIR and work tree
    named, so a repository around ARCHIVE_DIR (the project's own) is never used."""

    archive_dir: Path
    remote_url: str = ""
    branch: str = "main"
    timeout: float = 600.0
    git: str = field(default="")

    def __post_init__(self) -> None:
        self.archive_dir = Path(os.path.abspath(self.archive_dir))
        self.git = self.git or git_program()

    @property
    def git_dir(self) -> Path:
        return self.archive_dir / ".git"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            GIT_DIR=str(self.git_dir),
            GIT_WORK_TREE=str(self.archive_dir),
            # Never a prompt for a password in an unattended run; messages git prints in C
            GIT_TERMINAL_PROMPT="0",
            GIT_SSH_COMMAND=os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
            LC_ALL="C",
        )
        return env

    def run(self, *args: str, check: bool = True, timeout: float | None = None):
        try:
            result = subprocess.run(
                [self.git, *args],
                cwd=self.archive_dir,
                env=self.env(),
                capture_output=True,
                text=True,
                timeout=timeout or self.timeout,
            )
        except subprocess.TimeoutExpired:
            raise PublishError(
                PublishError.UNREACHABLE,
                f"git {args[0]} took more than {timeout or self.timeout:.0f} s",
            ) from None
        if check and result.returncode != 0:
            raise PublishError(PublishError.FAILED, self.failure(args[0], result))
        return result

    def failure(self, step: str, result) -> str:
        """One line: the last `fatal:`/`error:` line git printed, credentials removed."""
        lines = [line.strip() for line in (result.stderr or "").splitlines() if line.strip()]
        fatal = [line for line in lines if line.startswith(("fatal:", "error:", "remote:"))]
        said = (fatal or lines or [f"exit status {result.returncode}"])[-1]
        return redact(f"git {step} failed: {said}", self.remote_url)


def git_program() -> str:
    git = shutil.which("git")
    if git is None:
        raise PublishError(
            PublishError.NO_GIT,
            "the git program is not installed (Debian: apt-get install git; `make test` does it)",
        )
    return git


# -- the steps -------------------------------------------------------------------------------


def ensure_repository(repo: Repository) -> bool:
    """ARCHIVE_DIR made a repository on branch PUBLISH_BRANCH if it is not one; its excludes
    and a committer identity of its own (when git has none). True if it was created."""
    created = not (repo.git_dir / "HEAD").exists()
    if created:
        repo.archive_dir.mkdir(parents=True, exist_ok=True)
        repo.run("init", "--quiet", f"--initial-branch={repo.branch}")
    write_excludes(repo)
    if repo.run("config", "user.email", check=False).returncode != 0:
        repo.run("config", "user.name", "ntd-archive")
        repo.run("config", "user.email", "ntd-archive@localhost")
    return created


def write_excludes(repo: Repository) -> None:
    path = repo.git_dir / "info" / "exclude"
    try:
        if path.read_text("utf-8") == EXCLUDES:
            return
    except FileNotFoundError:
        pass
    write_atomic(path, EXCLUDES.encode("utf-8"))


def git_processes_using(repo: Repository) -> list[int]:
    """The git processes (other than ours, which are over) whose working folder is in the
    archive or that have a file of its repository open: /proc, on Linux."""
    proc = Path("/proc")
    pids = []
    root, git_dir = str(repo.archive_dir), str(repo.git_dir)
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if not (entry / "comm").read_text().startswith("git"):
                continue
            cwd = os.readlink(entry / "cwd")
            uses = cwd == root or cwd.startswith(root + os.sep)
            if not uses:
                for fd in (entry / "fd").iterdir():
                    target = os.readlink(fd)
                    if target == git_dir or target.startswith(git_dir + os.sep):
                        uses = True
                        break
        except OSError:
            continue
        if uses:
            pids.append(int(entry.name))
    return pids


def clear_stale_locks(repo: Repository) -> list[str]:
    """Lock files a killed git left (index.lock, a ref's .lock…), removed only when no git
    process uses the repository; else PublishError (busy). Returns the files removed."""
    locks = [repo.git_dir / name for name in _LOCK_FILES if (repo.git_dir / name).exists()]
    refs = repo.git_dir / "refs"
    if refs.is_dir():
        locks += sorted(refs.rglob("*.lock"))
    if not locks:
        return []
    pids = git_processes_using(repo)
    if pids:
        raise PublishError(
            PublishError.BUSY,
            f"another git process (pid {pids[0]}) is using the archive's repository: "
            f"{locks[0].relative_to(repo.archive_dir)} left in place",
        )
    for lock in locks:
        lock.unlink(missing_ok=True)
    return [str(lock.relative_to(repo.archive_dir)) for lock in locks]


def set_remote(repo: Repository) -> None:
    """The remote `publish` points at PUBLISH_REMOTE (kept in .git/config, never printed)."""
    current = repo.run("remote", "get-url", REMOTE_NAME, check=False)
    if current.returncode != 0:
        repo.run("remote", "add", REMOTE_NAME, repo.remote_url)
    elif current.stdout.strip() != repo.remote_url:
        repo.run("remote", "set-url", REMOTE_NAME, repo.remote_url)


def stage(repo: Repository) -> list[tuple[str, str]]:
    """Every change of the work tree staged; (status letter, path) of each staged change."""
    repo.run("add", "--all", ".")
    crash_point("publish:staged")
    changes = repo.run("diff", "--cached", "--name-status", "--no-renames", "-z")
    fields = changes.stdout.split("\0")
    return [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]


def commit(repo: Repository, message: str) -> None:
    """One commit of what is staged, the message given on standard input."""
    result = subprocess.run(
        [repo.git, "commit", "--quiet", "--no-verify", "--file", "-"],
        input=message,
        cwd=repo.archive_dir,
        env=repo.env(),
        capture_output=True,
        text=True,
        timeout=repo.timeout,
    )
    if result.returncode != 0:
        raise PublishError(PublishError.FAILED, repo.failure("commit", result))


def head(repo: Repository) -> str | None:
    result = repo.run("rev-parse", "--verify", "--quiet", "HEAD", check=False)
    return result.stdout.strip() or None


def unpushed(repo: Repository) -> int:
    """Commits of HEAD the remote branch did not have at the last push (or ever)."""
    tracking = f"refs/remotes/{REMOTE_NAME}/{repo.branch}"
    known = repo.run("rev-parse", "--verify", "--quiet", tracking, check=False).returncode == 0
    span = f"{tracking}..HEAD" if known else "HEAD"
    return int(repo.run("rev-list", "--count", span).stdout.strip() or 0)


def push(repo: Repository) -> None:
    """HEAD to the remote's branch, fast-forward only (never forced)."""
    crash_point("publish:push")
    result = repo.run(
        "push", "--porcelain", REMOTE_NAME, f"HEAD:refs/heads/{repo.branch}", check=False
    )
    if result.returncode == 0:
        return
    said = f"{result.stdout}\n{result.stderr}"
    if "[rejected]" in said or "non-fast-forward" in said or "fetch first" in said:
        raise PublishError(
            PublishError.DIVERGED,
            f"the remote's branch {repo.branch} has commits this archive does not have "
            f"(someone else pushed to {redact_url(repo.remote_url)}): not pushed, never "
            "force-pushed; reconcile the two by hand",
        )
    unreachable = (
        "unable to connect",
        "could not resolve",
        "connection refused",
        "failed to connect",
        "timed out",
        "could not read from remote",
        "unable to access",
        "does not appear to be a git repository",
    )
    kind = PublishError.UNREACHABLE if any(u in said.lower() for u in unreachable) else None
    raise PublishError(kind or PublishError.REFUSED, repo.failure("push", result))


def repository_bytes(repo: Repository) -> int:
    """The repository's objects on disk (`git count-objects`): loose and packed."""
    out = repo.run("count-objects", "-v").stdout
    sizes = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    return (int(sizes.get("size", 0)) + int(sizes.get("size-pack", 0))) * 1024


def size_warning(size: int) -> str | None:
    for limit in SIZE_WARNINGS:
        if size > limit:
            return (
                f"the repository is {size / 1e9:.1f} GB, past GitHub's recommended "
                f"{limit / 1e9:.0f} GB: start a repository for the new year (README, "
                "'Publishing')"
            )
    return None


# -- a publication ---------------------------------------------------------------------------


def commit_message(changes: list[tuple[str, str]], report: dict | None) -> str:
    """The run's summary: its range and its new / updated articles, then the files."""
    articles = {"A": 0, "M": 0, "D": 0}
    for status, path in changes:
        if ARTICLE_FILE_RE.match(path):
            articles[status[0]] = articles.get(status[0], 0) + 1
    if report and report.get("days"):
        days = [d["day"] for d in report["days"]]
        when = days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"
        counts = report.get("articles") or {}
        subject = (
            f"{report.get('lang', '')} {when}: {counts.get('new', 0)} new, "
            f"{counts.get('updated', 0)} updated articles".strip()
        )
        body = [f"Run started {report.get('started')}, status {report.get('status')}."]
    else:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        subject = f"Archive as of {now}: {articles['A']} new, {articles['M']} updated articles"
        body = ["Published by hand (scrapy publish)."]
    body.append(
        f"Article files: {articles['A']} added, {articles['M']} changed, {articles['D']} "
        f"removed; {len(changes)} files in all."
    )
    return subject + "\n\n" + "\n".join(body) + "\n"


@dataclass
class Publication:
    committed: str | None = None
    files_changed: int = 0
    pushed: int = 0
    repository_bytes: int = 0
    warning: str | None = None
    locks_removed: list[str] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None

    def as_report(self) -> dict:
        return {
            "status": "failed" if self.error else "ok",
            "problem": self.error,
            "commit": self.committed,
            "files_changed": self.files_changed,
            "commits_pushed": self.pushed,
            "repository_bytes": self.repository_bytes,
            "warning": self.warning,
            "locks_removed": self.locks_removed,
        }


def publish(
    archive_dir: str | Path, remote_url: str, branch: str = "main", report: dict | None = None
) -> Publication:
    """Commit the archive (if anything changed) and push every commit the remote lacks.
    Never raises for a git failure: the Publication says what went wrong."""
    result = Publication()
    try:
        repo = Repository(Path(archive_dir), remote_url, branch or "main")
        ensure_repository(repo)
        result.locks_removed = clear_stale_locks(repo)
        set_remote(repo)
        changes = stage(repo)
        result.files_changed = len(changes)
        if changes:
            crash_point("publish:commit")
            commit(repo, commit_message(changes, report))
            result.committed = head(repo)
        result.repository_bytes = repository_bytes(repo)
        result.warning = size_warning(result.repository_bytes)
        waiting = unpushed(repo) if head(repo) else 0
        if waiting:
            push(repo)
            result.pushed = waiting
    except PublishError as exc:
        result.error, result.error_kind = redact(str(exc), remote_url), exc.kind
    return result


# -- at the end of a crawl -------------------------------------------------------------------

# The run report's status of a run whose publication failed (scrapy crawl exits with 6)
PUBLISH_FAILED = "publish_failed"
# Runs that publish: the others (interrupted, disk full) leave it to the next run
_PUBLISHING_STATUSES = ("ok", "failed", "site_changed")


def amend_report(archive_dir: str | Path, publication: Publication) -> dict | None:
    """The run's report files (.state/last-run.json and its copy under reports/) with the
    publication's outcome; a failed publication of an ok run makes it `publish_failed`."""
    last = archive_file(archive_dir, ".state/last-run.json")
    try:
        report = json.loads(last.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    report["publication"] = publication.as_report()
    if publication.error and report.get("status") == "ok":
        report["status"] = PUBLISH_FAILED
        report["problem"] = f"the archive was not published: {publication.error}"
    data = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    started = report.get("started")
    # The name RunReport gives the copy (crawler/report.py)
    stamp = started[:19].replace(":", "").replace("-", "") if started else "run"
    for path in (f".state/reports/{stamp}Z.json", ".state/last-run.json"):
        write_atomic(archive_file(archive_dir, path), data)
    return report


def log_publication(publication: Publication, remote_url: str) -> None:
    where = redact_url(remote_url)
    if publication.locks_removed:
        logger.warning(
            "Removed git lock files a killed run left: %s", ", ".join(publication.locks_removed)
        )
    if publication.warning:
        logger.warning("Publication: %s", publication.warning)
    if publication.error:
        logger.error(
            "Publication failed: %s. %s",
            publication.error,
            "The archive and its commits stay here; the next run publishes them"
            if publication.error_kind != PublishError.NO_GIT
            else "",
        )
        return
    logger.info(
        "Published: %s; %d commits pushed to %s (repository %.1f MB)",
        f"commit {publication.committed[:12]} of {publication.files_changed} changed files"
        if publication.committed
        else "nothing changed, no commit",
        publication.pushed,
        where,
        publication.repository_bytes / 1e6,
    )


class Publisher:
    """The extension: with PUBLISH_REMOTE set, a run ends by publishing the archive, after the
    index pages (IndexPagesPipeline, at close_spider) and the run report (spider_closed)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.remote = (crawler.settings.get("PUBLISH_REMOTE") or "").strip()
        self.branch = crawler.settings.get("PUBLISH_BRANCH") or "main"
        crawler.signals.connect(self.engine_stopped, signal=scrapy_signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def engine_stopped(self) -> None:
        if not self.remote:
            return
        stats = self.crawler.stats
        if stats.get_value("ntd/run/status") not in _PUBLISHING_STATUSES:
            logger.info("Not published: the run did not end normally; the next run publishes")
            return
        archive_dir = self.crawler.settings["ARCHIVE_DIR"]
        last = archive_file(archive_dir, ".state/last-run.json")
        try:
            report = json.loads(last.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            report = None
        publication = publish(archive_dir, self.remote, self.branch, report)
        log_publication(publication, self.remote)
        amended = amend_report(archive_dir, publication)
        if amended is not None:
            stats.set_value("ntd/run/status", amended["status"])
        elif publication.error and stats.get_value("ntd/run/status") == "ok":
            stats.set_value("ntd/run/status", PUBLISH_FAILED)
        stats.set_value("ntd/publish/status", "failed" if publication.error else "ok")
