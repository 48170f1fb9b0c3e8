"""ManagedProcess and ProcessGroup driving real child processes."""

import contextlib
import os
import select
import signal
import socket
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devstack.procs import (
    ManagedProcess,
    ProcessExitedError,
    ProcessGroup,
    ReadyTimeoutError,
    free_port,
)

WAIT = 10.0
PAUSE = "import signal; signal.pause()"

# The child ignores SIGTERM and so does the grandchild it spawns (SIG_IGN survives exec);
# the grandchild announces its pid once it is in place.
STUBBORN = """
import os, signal, subprocess, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = 'import os, signal; print("grandchild", os.getpid()); signal.pause()'
subprocess.Popen([sys.executable, "-c", grandchild])
signal.pause()
"""


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def announcing(name: str) -> ManagedProcess:
    return ManagedProcess(name, python(f'print("ready"); {PAUSE}'), ready_line_pattern="^ready$")


@contextlib.contextmanager
def exit_watch(pid: int) -> Iterator[Callable[[float], bool]]:
    """Yield a function waiting up to N s for pid, not necessarily our child, to terminate."""
    fd = os.pidfd_open(pid)
    try:
        yield lambda timeout: bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def test_free_port_is_bindable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", free_port()))


def test_ready_line_returns_its_groups() -> None:
    code = f"""
        print("starting up")
        print("pbxsim listening on http://127.0.0.1:4321")
        {PAUSE}
    """
    pattern = r"listening on http://127\.0\.0\.1:(\d+)"
    with ManagedProcess("sim", python(code), ready_line_pattern=pattern) as sim:
        assert sim.wait_ready(WAIT) == ("4321",)
        assert sim.ready_groups == ("4321",)
        assert sim.output_tail() == "starting up\npbxsim listening on http://127.0.0.1:4321"
        assert sim.returncode is None


def test_echo_prefixes_each_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = f'print("hello"); print("ready"); {PAUSE}'
    with ManagedProcess("chatty", python(code), ready_line_pattern="^ready$", echo=True) as child:
        child.wait_ready(WAIT)
    assert "[chatty] hello\n[chatty] ready\n" in capsys.readouterr().out


def test_ready_url_accepts_any_http_status(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    # An empty directory: /missing answers 404, which still proves the server is up.
    url = f"http://127.0.0.1:{port}/missing"
    with ManagedProcess("http", argv, cwd=tmp_path, ready_url=url) as server:
        assert server.wait_ready(WAIT) == ()
        assert server.returncode is None


def test_early_exit_reports_exit_code_and_output_tail() -> None:
    code = 'print("loading config"); raise SystemExit("fatal: PBX_URL is not set")'
    broken = ManagedProcess("broken", python(code), ready_line_pattern="listening")
    with broken, pytest.raises(ProcessExitedError, match="broken exited with code 1") as info:
        broken.wait_ready(WAIT)
    assert "loading config\nfatal: PBX_URL is not set" in str(info.value)


def test_timeout_reports_output_tail() -> None:
    code = f'print("still warming up"); {PAUSE}'
    slow = ManagedProcess("slow", python(code), ready_line_pattern="listening")
    with slow, pytest.raises(ReadyTimeoutError, match=r"(?s)not ready after 1\.5 s.*warming up"):
        slow.wait_ready(1.5)


def test_stop_kills_a_child_ignoring_sigterm_and_its_grandchildren() -> None:
    child = ManagedProcess("stubborn", python(STUBBORN), ready_line_pattern=r"^grandchild (\d+)$")
    with child:
        (grandchild_pid,) = child.wait_ready(WAIT)
        assert grandchild_pid is not None
        with exit_watch(int(grandchild_pid)) as grandchild_exited:
            assert child.stop(timeout=0.5) == -signal.SIGKILL
            assert grandchild_exited(WAIT)
    assert child.stop() == -signal.SIGKILL


def raise_inside(group: ProcessGroup, error: BaseException) -> None:
    with group:
        assert all(process.returncode is None for process in group.processes)
        raise error


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_group_stops_all_in_reverse_order_on_exception(error: BaseException) -> None:
    stopped: list[str] = []

    class Recorded(ManagedProcess):
        def stop(self, timeout: float = 5.0) -> int | None:
            stopped.append(self.name)
            return super().stop(timeout)

    code = f'print("ready"); {PAUSE}'
    processes = [Recorded(n, python(code), ready_line_pattern="^ready$") for n in "abc"]
    with pytest.raises(type(error)):
        raise_inside(ProcessGroup(processes), error)
    assert stopped == ["c", "b", "a"]
    assert [process.returncode for process in processes] == [-signal.SIGTERM] * 3


def test_group_stops_started_processes_when_a_later_one_fails() -> None:
    first = announcing("first")
    broken = ManagedProcess("broken", python("raise SystemExit(2)"), ready_line_pattern="ready")
    with (
        contextlib.ExitStack() as stack,
        pytest.raises(ProcessExitedError, match="broken exited with code 2"),
    ):
        stack.enter_context(ProcessGroup([first, broken]))
    assert first.returncode == -signal.SIGTERM


def test_group_start_adds_processes_inside_the_block() -> None:
    code = f'print("port 5555"); {PAUSE}'
    with ProcessGroup([announcing("redis")]) as group:
        sim = ManagedProcess("sim", python(code), ready_line_pattern=r"port (\d+)")
        assert group.start(sim) == ("5555",)
        assert group["sim"] is sim
        assert [process.name for process in group.processes] == ["redis", "sim"]
    assert sim.returncode == -signal.SIGTERM
