"""Run a notebook's code cells in an IPython shell and serve graded calls afterwards.

This is the part of the grader that runs where the student's code runs (the sandbox child, or
an author's process with ``python -m course_utils.grading.local``). It executes cells one by one,
never stopping at an error, keeps a short report of each (its printed output, capped, and its
error), and then answers requests (see ``calls``) until told to stop.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

from .calls import _short_error, serve_call, serve_run

PRINT_CAP = 4000          # characters of printed output kept per cell for the feedback


class CellTimeout(BaseException):
    """Raised in the student's code when a cell runs past its time."""


class _Capped:
    """A text stream that keeps the first ``cap`` characters and counts the rest."""

    def __init__(self, cap: int) -> None:
        self.cap, self.parts, self.size, self.dropped = cap, [], 0, 0

    def write(self, text: Any) -> int:
        text = text if isinstance(text, str) else str(text)
        room = self.cap - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n… ({self.dropped} more characters of output not kept)"
        return out


def make_shell():
    """A fresh IPython shell without history (nothing is written to disk)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    shell = InteractiveShell.instance(config=config)
    return shell


def _on_alarm(signum, frame):
    raise CellTimeout("the cell ran out of time")


@contextlib.contextmanager
def _limited(stream: _Capped, timeout: float | None) -> Iterator[None]:
    """Print into ``stream`` and raise CellTimeout after ``timeout`` seconds, for one request."""
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = stream
    if timeout:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        sys.stdout, sys.stderr = saved


def run_cell(shell, source: str, timeout: float | None = None) -> dict:
    """Run one cell; return ``{"output", "error", "seconds"}`` (plain data)."""
    out = _Capped(PRINT_CAP)
    start = time.perf_counter()
    try:
        with _limited(out, timeout):
            result = shell.run_cell(source, store_history=False, silent=False)
        error = result.error_before_exec or result.error_in_exec
    except BaseException as exc:  # noqa: BLE001 - nothing a cell does may stop the runner
        error = exc
    report = {"output": out.text(), "error": None, "seconds": time.perf_counter() - start}
    if error is not None:
        report["error"] = _short_error(error)
        if isinstance(error, CellTimeout):
            report["error"]["message"] = f"the cell ran for more than {timeout:g} s and was stopped"
    return report


def answer(shell, message: dict, timeout: float | None = None) -> dict:
    """Handle one request from the grader: run a cell, a call, or a probe."""
    kind = message.get("kind")
    if kind == "cell":
        return run_cell(shell, str(message.get("source", "")), timeout)
    try:
        with _limited(_Capped(0), timeout):        # what a graded call prints is not kept
            if kind == "call":
                return serve_call(shell.user_ns, message.get("request") or {})
            if kind == "run":
                return serve_run(shell.user_ns, message.get("request") or {})
        return {"ok": False, "stage": "protocol",
                "error": {"type": "ValueError", "message": f"unknown request {kind!r}", "where": ""}}
    except BaseException as error:  # noqa: BLE001 - a call that escapes still gets an answer
        reply = {"ok": False, "stage": "call", "error": _short_error(error)}
        if isinstance(error, CellTimeout):
            reply["error"]["message"] = f"the call ran for more than {timeout:g} s and was stopped"
        return reply
