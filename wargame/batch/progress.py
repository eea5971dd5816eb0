"""Progress of many runs on standard error: a bar on a terminal, and elsewhere (CI, ``nohup``,
``tee``) a line every few percent with the rate and the time left, which a log keeps readable.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from tqdm import tqdm

STEP_PERCENT = 5  # a line each time this many percent more of the runs are done


class Progress:
    """Counts finished runs; ``with Progress(total, "may2019") as progress: progress.update(n)``."""

    def __init__(
        self, total: int, desc: str, initial: int = 0, unit: str = "run", file: TextIO | None = None
    ) -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.done = self.start = initial
        self.failed = 0
        self.file = file or sys.stderr
        self.began = time.monotonic()
        self.next_line = self._next(initial)
        self.bar = (
            tqdm(total=total, initial=initial, unit=unit, desc=desc, file=self.file)
            if _terminal(self.file)
            else None
        )

    def update(self, runs: int, failed: int = 0) -> None:
        self.done += runs
        self.failed += failed
        if self.bar is not None:
            self.bar.update(runs)
            if self.failed:
                self.bar.set_postfix(failed=self.failed)
        elif self.done >= self.next_line:
            print(self.line(), file=self.file, flush=True)
            self.next_line = self._next(self.done)

    def line(self) -> str:
        """``may2019: 250/1000 runs (25%), 5.2 runs/s, about 2 min 24 s left``."""
        elapsed = time.monotonic() - self.began
        made = self.done - self.start
        rate = made / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else None
        text = (
            f"{self.desc}: {self.done}/{self.total} {self.unit}s "
            f"({100 * self.done / max(self.total, 1):.0f}%), {rate:.3g} {self.unit}s/s"
        )
        if self.done < self.total and left is not None:
            text += f", about {duration(left)} left"
        return text + (f", {self.failed} failed" if self.failed else "")

    def _next(self, done: int) -> int:
        """The count of runs at which the next line is due: the next multiple of the step."""
        step = max(1, self.total * STEP_PERCENT // 100)
        return min(self.total, (done // step + 1) * step)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _terminal(file: TextIO) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


def duration(seconds: float) -> str:
    """A time for people: ``45 s``, ``2 min 24 s``, ``3 h 05 min``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
