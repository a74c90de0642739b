"""Start and stop the replica server in a subprocess (for the tests and the demo)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Replica:
    def __init__(self, *args: str) -> None:
        self.args = args
        self.process: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> Replica:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.site.server", "--port", "0", *self.args],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if "serving on" not in line:
            self.process.kill()
            raise RuntimeError(f"replica did not start: {line!r}")
        self.url = line.split("serving on ", 1)[1].strip().rstrip("/")
        return self

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def requested_paths(self) -> list[str]:
        with urllib.request.urlopen(f"{self.url}/_replica/log", timeout=10) as response:
            return json.load(response)

    def revise(self, article_id: str) -> None:
        request = urllib.request.Request(
            f"{self.url}/_replica/revise?id={article_id}", data=b"", method="POST"
        )
        urllib.request.urlopen(request, timeout=10).close()
