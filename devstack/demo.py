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
# The demo's database, signing key and passwords live here, outside git (DEMO_DIR: elsewhere).
STATE_DIR = Path(os.environ.get("DEMO_DIR") or ROOT / ".demo")
READY_TIMEOUT_S = 60
# The simulated PBX's zone and the wallboard's, unless TIME_ZONE says otherwise.
DEMO_TIME_ZONE = "Asia/Bangkok"
CARRIED_OVER = (
    "Figures of an earlier run today carry on (by design: a restart keeps today's figures, as in\n"
    "production); they start from zero when the next business day begins."
)
# Callers per minute per queue: more than the agents can take, so queues visibly build up.
DEMO_ARRIVALS_PER_MIN = "10"


def demo_env(redis_url: str, sim_secret: str) -> dict[str, str]:
    return {
        "SECRET_KEY": kept_secret("secret_key", 50),
        "TIME_ZONE": os.environ.get("TIME_ZONE") or DEMO_TIME_ZONE,
        "DATABASE_URL": f"sqlite:///{STATE_DIR / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PBX_CLIENT_ID": "wallboard-demo",
        "PBX_CLIENT_SECRET": sim_secret,
    }


def kept_secret(name: str, size: int = 9) -> str:
    """A secret made on the first run and kept in STATE_DIR: the signing key, so that sessions
    stay valid, and the passwords, so that the same logins are printed and browsers stay
    signed in when the demo restarts."""
    path = STATE_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(size))
        path.chmod(0o600)
    return path.read_text().strip()


def seed(env: dict[str, str], port: int) -> str:
    """The demo's board, logins and TV link, as seed_demo prints them."""
    # `--x=…`: a random password may start with "-", which argparse would take for a flag.
    return manage(
        env, "seed_demo", "--base-url", f"http://127.0.0.1:{port}",
        f"--password={kept_secret('supervisor_password')}",
        f"--admin-password={kept_secret('admin_password')}",
    )  # fmt: skip


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
                "--arrival-per-min", DEMO_ARRIVALS_PER_MIN,
                "--time-zone", env["TIME_ZONE"]]  # fmt: skip
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
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    earlier_run = (STATE_DIR / "db.sqlite3").exists()
    port = web_port()
    with (
        sigterm_as_keyboard_interrupt(),
        ensure_redis(os.environ.get("REDIS_URL", DEFAULT_URL)) as redis,
    ):
        print(f"demo: Redis at {redis.url} ({redis.source})", flush=True)
        env = demo_env(redis.url, secrets.token_urlsafe(16))
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        welcome = seed(env, port) + f"Times:    in {env['TIME_ZONE']} (TIME_ZONE)\n"
        welcome += f"\n{CARRIED_OVER}\n" if earlier_run else ""
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
