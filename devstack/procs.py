"""Supervise child processes: start, wait until ready, capture output, stop whole process groups."""

from __future__ import annotations

import collections
import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO

# How often wait_ready re-runs the URL/callable probes while no ready line has arrived.
_PROBE_INTERVAL = 0.05
_echo_lock = threading.Lock()


class ProcessError(RuntimeError):
    """A managed process failed to become ready; the message carries its last output."""

    def __init__(self, name: str, reason: str, tail: str) -> None:
        super().__init__(f"{name} {reason}; last output:\n{tail or '(no output)'}")
        self.name = name
        self.tail = tail


class ProcessExitedError(ProcessError):
    """The process exited before it became ready."""


class ReadyTimeoutError(ProcessError):
    """The process did not become ready within the timeout."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def url_answers(url: str, timeout: float = 1.0) -> bool:
    """True if an HTTP GET to url gets any response at all, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError as error:
        error.close()
        return True
    except (urllib.error.URLError, OSError):
        return False


class StopsOnExit:
    """Leaving a with-block calls stop(), also on exceptions and Ctrl-C."""

    def stop(self) -> object:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ManagedProcess(StopsOnExit):
    """One child process in its own process group, with its output kept in a ring buffer.

    env holds variables laid over the current environment, not a replacement for it.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        ready_line_pattern: str | None = None,
        ready_url: str | None = None,
        *,
        ready_check: Callable[[], bool] | None = None,
        echo: bool = False,
        tail_lines: int = 200,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env or {})
        self.cwd = cwd
        self.echo = echo
        self._pattern = re.compile(ready_line_pattern) if ready_line_pattern else None
        self._ready_url = ready_url
        self._ready_check = ready_check
        self._lines: collections.deque[str] = collections.deque(maxlen=tail_lines)
        self._cond = threading.Condition()
        self._matched: tuple[str | None, ...] | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._stopped = False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc else None

    @property
    def ready_groups(self) -> tuple[str | None, ...] | None:
        """Capturing groups of the ready line, once it has been seen."""
        with self._cond:
            return self._matched

    def output_tail(self, lines: int | None = None) -> str:
        """The last lines of combined stdout/stderr (all that the ring buffer holds by default)."""
        with self._cond:
            kept = list(self._lines)
        return "\n".join(kept[-lines:] if lines else kept)

    def start(self) -> ManagedProcess:
        if self._proc is not None:
            raise RuntimeError(f"{self.name} was already started")
        # Python children block-buffer a piped stdout, which would delay their ready line.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self._proc = subprocess.Popen(
            self.argv,
            env=env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        self._reader = threading.Thread(
            target=self._read_output,
            args=(self._proc.stdout,),
            name=f"{self.name}-output",
            daemon=True,
        )
        self._reader.start()
        return self

    def _read_output(self, stream: IO[str]) -> None:
        for raw in stream:
            line = raw.rstrip("\n")
            if self.echo:
                with _echo_lock:
                    print(f"[{self.name}] {line}", flush=True)
            with self._cond:
                self._lines.append(line)
                match = self._pattern.search(line) if self._pattern else None
                if match and self._matched is None:
                    self._matched = match.groups()
                    self._cond.notify_all()

    def _probes_pass(self) -> bool:
        if self._pattern is None and self._ready_url is None and self._ready_check is None:
            return True
        if self._ready_url is not None and url_answers(self._ready_url, timeout=0.5):
            return True
        return self._ready_check is not None and self._ready_check()

    def wait_ready(self, timeout: float) -> tuple[str | None, ...]:
        """Wait for the ready line (returning its groups) or a passing URL/callable probe (())."""
        if self._proc is None:
            raise RuntimeError(f"{self.name} was not started")
        deadline = time.monotonic() + timeout
        while True:
            groups = self.ready_groups
            if groups is not None:
                return groups
            if self._probes_pass():
                return ()
            if self._proc.poll() is not None:
                self._drain_reader()
                reason = f"exited with code {self._proc.returncode} before becoming ready"
                raise ProcessExitedError(self.name, reason, self.output_tail())
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                reason = f"was not ready after {timeout:g} s"
                raise ReadyTimeoutError(self.name, reason, self.output_tail())
            with self._cond:
                self._cond.wait_for(
                    lambda: self._matched is not None, min(remaining, _PROBE_INTERVAL)
                )

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to exit by itself and return its exit code."""
        if self._proc is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._proc.wait(timeout)

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM the process group, SIGKILL it after timeout; safe to call more than once."""
        if self._proc is None or self._stopped:
            return self.returncode
        self._signal_group(signal.SIGTERM)
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self._proc.wait()
        # Whatever is still in the group (say a grandchild ignoring SIGTERM) is an orphan now.
        self._signal_group(signal.SIGKILL)
        # Set only now, so that a stop() cut short (say by Ctrl-C) can be retried.
        self._stopped = True
        self._drain_reader()
        return self._proc.returncode

    def _signal_group(self, signum: signal.Signals) -> None:
        assert self._proc is not None
        # The child called setsid(), so its pid is also its process group id.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signum)

    def _drain_reader(self) -> None:
        """Let the reader take the last output; close the pipe only once it is done with it."""
        assert self._proc is not None
        assert self._reader is not None
        self._reader.join(timeout=2.0)
        if not self._reader.is_alive() and self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> ManagedProcess:
        return self.start()


class ProcessGroup(StopsOnExit):
    """Start processes in order, each waited ready before the next; stop them in reverse order.

    Processes given to the constructor start on entering the with-block; start() adds more
    from inside it (e.g. one whose argv needs the port that an earlier one reported).
    """

    def __init__(
        self,
        processes: Iterable[ManagedProcess] = (),
        ready_timeout: float = 30.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self._pending = list(processes)
        self._ready_timeout = ready_timeout
        self._stop_timeout = stop_timeout
        self._started: list[ManagedProcess] = []

    @property
    def processes(self) -> list[ManagedProcess]:
        return list(self._started)

    def __getitem__(self, name: str) -> ManagedProcess:
        for process in self._started:
            if process.name == name:
                return process
        raise KeyError(name)

    def start(
        self, process: ManagedProcess, ready_timeout: float | None = None
    ) -> tuple[str | None, ...]:
        """Start process, wait until it is ready and return its ready groups."""
        self._started.append(process)
        process.start()
        return process.wait_ready(self._ready_timeout if ready_timeout is None else ready_timeout)

    def stop(self) -> None:
        for process in reversed(self._started):
            process.stop(self._stop_timeout)
        self._started.clear()

    def __enter__(self) -> ProcessGroup:
        try:
            for process in self._pending:
                self.start(process)
        except BaseException:
            self.stop()
            raise
        return self


@contextlib.contextmanager
def sigterm_as_keyboard_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt so cleanup runs as for Ctrl-C."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        # A repeated SIGTERM must not abort the cleanup that the first one started.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
