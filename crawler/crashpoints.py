"""Crash injection for the kill-and-resume tests: NTD_CRASH_AT="<label>:<n>" kills the process
(SIGKILL, as the OOM killer or a power cut would) at the n-th crash point whose label contains
<label>. Unset, as it always is outside those tests, it costs one dictionary lookup."""

from __future__ import annotations

import os
import signal

_SPEC = os.environ.get("NTD_CRASH_AT", "")
_LABEL, _, _COUNT = _SPEC.rpartition(":")
_remaining = int(_COUNT) if _SPEC and _COUNT.isdigit() else 0


def crash_point(label: str) -> None:
    global _remaining
    if _remaining and _LABEL in label:
        _remaining -= 1
        if _remaining == 0:
            os.kill(os.getpid(), signal.SIGKILL)
