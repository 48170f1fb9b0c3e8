"""CPU seconds and peak resident memory of the processes under test, sampled from /proc."""

import contextlib
import threading
from dataclasses import dataclass, field

import psutil

# Peak RSS is sampled: a spike shorter than this can be missed, which is fine for a benchmark.
SAMPLE_S = 0.1


@dataclass
class Usage:
    """One process over a measured window."""

    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    start_rss_mb: float = 0.0
    end_rss_mb: float = 0.0


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _rss_mb(process: psutil.Process) -> float:
    return float(process.memory_info().rss) / 2**20


@dataclass
class UsageMeter:
    """Measures named processes (by pid) from start() to stop(); peak RSS by a sampling thread."""

    pids: dict[str, int]
    _procs: dict[str, psutil.Process] = field(default_factory=dict)
    _cpu0: dict[str, float] = field(default_factory=dict)
    _usage: dict[str, Usage] = field(default_factory=dict)
    _done: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._procs = {name: psutil.Process(pid) for name, pid in self.pids.items()}
        for name, process in self._procs.items():
            self._cpu0[name] = _cpu(process)
            rss = _rss_mb(process)
            self._usage[name] = Usage(start_rss_mb=rss, peak_rss_mb=rss)
        self._thread = threading.Thread(target=self._sample, name="usage", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_S):
            self._take_rss()

    def _take_rss(self) -> None:
        for name, process in self._procs.items():
            try:
                rss = _rss_mb(process)
            except psutil.NoSuchProcess:
                continue
            usage = self._usage[name]
            usage.peak_rss_mb = max(usage.peak_rss_mb, rss)
            usage.end_rss_mb = rss

    def stop(self) -> dict[str, Usage]:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        self._take_rss()
        for name, process in self._procs.items():
            with contextlib.suppress(psutil.NoSuchProcess):
                self._usage[name].cpu_s = _cpu(process) - self._cpu0[name]
        return self._usage


def rss_mb(pid: int) -> float:
    return _rss_mb(psutil.Process(pid))
