"""What every benchmark measures the same way: the peak memory of a process tree."""

from __future__ import annotations

import threading
import time

import psutil


class PeakRSS:
    """Sum of RSS over a process and all its descendants, sampled every 50 ms.

    Finer sampling (5 ms) took a third of the wall time on 2 cores away from the run it
    measures. Every sample is kept with its time, so a peak can be split by stage.
    """

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                total = 0
                for p in [self.proc, *self.proc.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.samples.append((time.time(), total))
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak

    def __enter__(self) -> "PeakRSS":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
