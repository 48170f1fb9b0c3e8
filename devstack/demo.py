"""`make demo`: Redis, a seeded database, pbxsim, the worker and Daphne; Ctrl-C stops them all."""

import contextlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

from devstack.procs import ManagedProcess, ProcessGroup, free_port, sigterm_as_keyboard_interrupt
from devstack.redis import DEFAULT_URL, ensure_redis
from devstack.web import daphne_args

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / ".demo"  # the demo's database and signing key live here, outside git
READY_TIMEOUT_S = 60
# Callers per minute per queue: more than the agents can take, so queues visibly build up.
DEMO_ARRIVALS_PER_MIN = "10"


def demo_env(redis_url: str, sim_secret: str) -> dict[str, str]:
    return {
        "SECRET_KEY": signing_key(),
        "DATABASE_URL": f"sqlite:///{STATE_DIR / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PBX_CLIENT_ID": "wallboard-demo",
        "PBX_CLIENT_SECRET": sim_secret,
    }


def signing_key() -> str:
    """Kept across runs so that a browser stays logged in when the demo restarts."""
    path = STATE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"demo: manage.py {args[0]} failed:\n{result.stderr}")
    return result.stdout


def python(
    name: str,
    args: list[str],
    env: dict[str, str],
    ready_line_pattern: str | None = None,
    ready_url: str | None = None,
) -> ManagedProcess:
    argv = [sys.executable, *args]
    return ManagedProcess(name, argv, env, ROOT, ready_line_pattern, ready_url, echo=True)


def worker(env: dict[str, str], number: int) -> ManagedProcess:
    """A `listen_pbx`: the first leads (ready once its link is up), the others stand by."""
    ready = "link up" if number == 1 else None
    return python(f"worker{number}", ["manage.py", "listen_pbx"], env, ready_line_pattern=ready)


def wait_for_first_exit(group: ProcessGroup, env: dict[str, str]) -> ManagedProcess:
    """Block until a service other than a worker exits: the demo is broken then, so everything
    stops. A worker that was stopped or killed (to watch the standby take over, say) is replaced
    by a new standby, as a process supervisor would in production."""
    replaced: set[str] = set()
    while True:
        for process in group.processes:
            if process.returncode is None or process.name in replaced:
                continue
            if not process.name.startswith("worker") or process.returncode > 0:
                return process  # a worker that failed (bad settings, say) would fail again
            replaced.add(process.name)
            number = len([p for p in group.processes if p.name.startswith("worker")]) + 1
            print(f"demo: {process.name} exited ({process.returncode}); worker{number} stands by")
            group.start(worker(env, number))
        with contextlib.suppress(subprocess.TimeoutExpired):
            group.processes[-1].wait(timeout=1)


def start_services(group: ProcessGroup, env: dict[str, str], web_port: int) -> None:
    """Simulator first (the workers need its URL), then the leading worker and a standby (as
    in production: freeze or kill the leader and the standby takes over), then the web server."""
    # --client-secret=…: a random secret may start with "-", which argparse would take for a flag.
    sim_args = ["-m", "pbxsim", "--port", "0", "--client-id", env["PBX_CLIENT_ID"],
                f"--client-secret={env['PBX_CLIENT_SECRET']}", "--seed", "1", "--scenario", "demo",
                "--arrival-per-min", DEMO_ARRIVALS_PER_MIN]  # fmt: skip
    (sim_url,) = group.start(python("pbxsim", sim_args, env, ready_line_pattern=r"on (http://\S+)"))
    env["PBX_URL"] = str(sim_url)
    group.start(worker(env, 1))
    group.start(worker(env, 2))
    daphne = ["-m", "daphne", *daphne_args("127.0.0.1", web_port)]
    health = f"http://127.0.0.1:{web_port}/healthz"
    group.start(python("daphne", daphne, env, ready_url=health))


def web_port() -> int:
    """8000 unless DEMO_PORT says otherwise; `0` picks a free port."""
    port = int(os.environ.get("DEMO_PORT", "8000"))
    return port or free_port()


def main() -> int:
    STATE_DIR.mkdir(exist_ok=True)
    port = web_port()
    with (
        sigterm_as_keyboard_interrupt(),
        ensure_redis(os.environ.get("REDIS_URL", DEFAULT_URL)) as redis,
    ):
        print(f"demo: Redis at {redis.url} ({redis.source})", flush=True)
        env = demo_env(redis.url, secrets.token_urlsafe(16))
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        welcome = manage(env, "seed_demo", "--base-url", f"http://127.0.0.1:{port}")
        try:
            with ProcessGroup(ready_timeout=READY_TIMEOUT_S) as group:
                start_services(group, env, port)
                print("\n" + "=" * 72 + "\nThe demo is running. Open the board and log in:\n")
                print(welcome + "\nCtrl-C stops everything.\n" + "=" * 72, flush=True)
                gone = wait_for_first_exit(group, env)
                print(f"demo: {gone.name} exited with code {gone.returncode}; stopping.")
        except KeyboardInterrupt:
            print("\ndemo: stopping…", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
