"""The web server's command line is spelled once (devstack/web.py) and used everywhere."""

import json
from pathlib import Path

import yaml

from dashboard.live.agents import Agent
from dashboard.live.state import LiveState
from dashboard.live.today import Today
from dashboard.live.view import queue_data
from devstack.web import MAX_MESSAGE_BYTES, daphne_args

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ["daphne", *daphne_args("0.0.0.0", 8000)]


def test_the_image_and_compose_run_daphne_as_devstack_spells_it() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    (cmd,) = [json.loads(line[4:]) for line in dockerfile if line.startswith("CMD ")]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert cmd == PRODUCTION
    assert compose["services"]["web"]["command"] == PRODUCTION


def test_daphne_never_cuts_every_socket_after_a_day() -> None:
    args = daphne_args("127.0.0.1", 8000)
    assert args[args.index("--websocket_timeout") + 1] == "-1"


def test_a_thousand_agent_board_fits_in_one_message_daphne_will_send() -> None:
    """Daphne refuses to send a message over its cap: the largest snapshot must fit, with room."""
    state = LiveState()
    state.set_queues({str(6400 + n): f"Queue {n}" for n in range(10)})
    queues = list(state.queues.values())
    for n in range(1000):  # every agent serves two of the ten queues
        number = str(10000 + n)
        for queue in (queues[n % 10], queues[(n + 1) % 10]):
            agent = Agent(number, f"Agent {n} Name", "dynamic", paused=True, pause_reason="Lunch")
            queue.agents[number] = agent
    today = Today("2026-11-26", 0)
    snapshot = {f"queue:{q.number}": queue_data(state, today, q, 0) for q in queues}
    size = len(json.dumps(snapshot, separators=(",", ":")).encode())
    assert size * 4 < int(MAX_MESSAGE_BYTES), f"{size} bytes"
