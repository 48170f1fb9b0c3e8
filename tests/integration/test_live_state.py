"""Live state against pbxsim over real sockets: live calls on the board, REST (call/query,
extension/list) correcting what lost events left behind, the directory every process reads, and
today's figures rebuilt from the PBX's CDRs when the worker starts mid-day."""

import json
from collections.abc import Callable
from typing import Any

import pytest
import redis

from tests.integration.stack import Rig, read_link, wait_until

pytestmark = pytest.mark.integration


def published(rig: Rig, queue: str = "6400") -> dict[str, Any]:
    raw = redis.Redis.from_url(rig.redis_url, decode_responses=True).get(f"wb:stream:queue:{queue}")
    return json.loads(str(raw))["data"]  # type: ignore[no-any-return]


def agent_row(rig: Rig, number: str) -> dict[str, Any]:
    return next(agent for agent in published(rig)["agents"] if agent["number"] == number)


def answered_call(rig: Rig, caller: str, agent: str = "1001") -> str:
    call = rig.sim("POST", "calls", {"queue": "6400", "caller": caller})
    rig.sim("POST", f"calls/{call['call_id']}/answer", {"agent": agent})
    return str(call["call_id"])


def test_an_answered_call_shows_live_with_hold_and_the_agents_channel(rig: Rig) -> None:
    waiting = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550040"})
    wait_until(lambda: published(rig)["figures"]["longest_wait_since"])
    rig.sim("POST", f"calls/{waiting['call_id']}/answer", {"agent": "1001"})

    def shown() -> list[dict[str, Any]]:
        """the answered call is on the board"""
        return published(rig)["calls"]  # type: ignore[no-any-return]

    (call,) = wait_until(shown)
    assert (call["call_id"], call["caller"]) == (waiting["call_id"], "5550040")
    assert (call["agent"], call["agent_name"]) == ("1001", "Anan Chaiyo")
    assert call["agent_channel_id"].startswith("PJSIP/1001-")
    assert published(rig)["figures"]["longest_wait_since"] is None
    rig.sim("POST", f"calls/{waiting['call_id']}/hold")
    wait_until(lambda: published(rig)["calls"][0]["held"])
    rig.sim("POST", f"calls/{waiting['call_id']}/unhold")
    wait_until(lambda: not published(rig)["calls"][0]["held"])
    rig.sim("POST", f"calls/{waiting['call_id']}/hangup")
    wait_until(lambda: published(rig)["calls"] == [])


def test_rest_clears_what_lost_events_left_behind(idle_rig: Rig) -> None:
    rig = idle_rig
    rig.env["PBX_RESYNC_SECONDS"] = "2"
    rig.start_worker()
    call_id = answered_call(rig, "5550041")
    gone = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550042"})
    wait_until(lambda: agent_row(rig, "1001")["state"] == "on_call" and published(rig)["waiting"])

    rig.sim("POST", "faults/events", {"paused": True})  # the hang-ups' events are lost
    rig.sim("POST", f"calls/{call_id}/hangup")
    rig.sim("POST", f"calls/{gone['call_id']}/abandon")

    def cleared() -> bool:
        """no ghost caller, call or busy phone is left on the board"""
        data, phone = published(rig), agent_row(rig, "1001")["state"]
        return not data["waiting"] and not data["calls"] and phone not in ("on_call", "ringing")

    def counted() -> bool:
        """the health data counts the busy phone call/query set right (refreshed every 15 s)"""
        link = read_link(rig.redis_url)
        return bool(link and link["corrections"].get("extension_call_state"))

    wait_until(cleared)
    wait_until(counted)


def test_the_directory_is_published_and_refreshed(idle_rig: Rig) -> None:
    rig = idle_rig
    rig.env["PBX_DIRECTORY_REFRESH_SECONDS"] = "2"
    rig.start_worker()
    raw = redis.Redis.from_url(rig.redis_url, decode_responses=True).get("wb:directory")
    directory = json.loads(str(raw))
    sales = directory["queues"]["6400"]
    assert (sales["id"], sales["name"]) == (1, "Sales")
    assert (sales["agents"]["1001"], sales["agents"]["1003"]) == (
        {"kind": "static"}, {"kind": "dynamic"})  # fmt: skip
    assert directory["extensions"]["1100"] == {"id": 40, "name": "Sam Supervisor"}

    # Without events only extension/list can tell the board about a presence change.
    rig.sim("POST", "faults/events", {"paused": True})
    rig.sim("POST", "agents/1002/presence", {"status": "do_not_disturb"})
    wait_until(lambda: agent_row(rig, "1002")["presence"] == "do_not_disturb")
    assert agent_row(rig, "1002")["state"] == "unavailable"

    # No event announces a renamed queue or a new member: the next directory read does.
    rig.sim("POST", "queues/6400", {"name": "Sales East"})
    rig.sim("POST", "queues/6400/agents/1005", {"type": "dynamic"})
    wait_until(lambda: published(rig)["name"] == "Sales East")
    wait_until(lambda: "1005" in {agent["number"] for agent in published(rig)["agents"]})
    raw = redis.Redis.from_url(rig.redis_url, decode_responses=True).get("wb:directory")
    assert json.loads(str(raw))["queues"]["6400"]["agents"]["1005"] == {"kind": "dynamic"}


# pbxsim's cdr/list answers with the guide's rows (§5.6b); what a row says of its call is a
# GUESS, switched: `uid` the CDR's own ID (default) or the call id, or a `call_id` beside it.
CDR_SWITCHES = [[], ["--cdr-uid-style", "call_id"], ["--cdr-call-id"]]


def today_is(rig: Rig, **expected: int) -> Callable[[], bool]:
    def check() -> bool:
        """today's figures are as expected (abandoned counting short abandons too)"""
        today = published(rig)["today"]
        today["abandoned"] += today["short_abandoned"]
        return all(today[name] == value for name, value in expected.items())

    return check


@pytest.mark.parametrize("idle_rig", CDR_SWITCHES, indirect=True, ids=" ".join)
def test_a_worker_started_mid_day_rebuilds_todays_figures_from_cdrs(idle_rig: Rig) -> None:
    rig = idle_rig
    rig.env["TIME_ZONE"] = "Asia/Bangkok"  # the simulator's zone: its business day
    for caller in ("5550051", "5550052"):
        rig.sim("POST", f"calls/{answered_call(rig, caller)}/hangup")
    abandoned = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550053"})
    rig.sim("POST", f"calls/{abandoned['call_id']}/abandon")
    talking = answered_call(rig, "5550054", agent="1002")

    rig.start_worker()
    today = published(rig)["today"]  # the talking call counts at once, its wait still unknown
    assert (today["offered"], today["answered"], today["handled"]) == (4, 3, 2)
    assert (today["abandoned"] + today["short_abandoned"], today["waits_unknown"]) == (1, 1)
    assert not today["partial"]
    assert agent_row(rig, "1001")["today"]["answered"] == 2
    assert agent_row(rig, "1002")["today"]["answered"] == 1
    assert [call["caller"] for call in published(rig)["calls"]] == ["5550054"]

    rig.sim("POST", f"calls/{talking}/hangup")  # its CDR (30012) tells how long it waited
    wait_until(lambda: published(rig)["today"]["handled"] == 3)
    today = published(rig)["today"]
    assert (today["offered"], today["answered"], today["waits_unknown"]) == (4, 3, 0)
    assert published(rig)["calls"] == []


def test_calls_that_came_and_went_while_the_link_was_down_are_counted(rig: Rig) -> None:
    """Neither events nor REST saw them: after the reconnect their CDRs settle today's figures."""
    before = published(rig)["today"]
    rig.sim("POST", "faults/errcode", {"endpoint": "subscribe", "errcode": 10004})
    rig.sim("POST", "faults/drop_sockets")
    wait_until(lambda: (read_link(rig.redis_url) or {}).get("state") == "reconnecting")
    unseen = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550049"})["call_id"]
    rig.sim("POST", f"calls/{unseen}/abandon")
    answered = answered_call(rig, "5550050")
    rig.sim("POST", f"calls/{answered}/hangup")
    rig.sim("POST", "faults/errcode", {"endpoint": "subscribe", "errcode": 0})

    def counted() -> bool:
        """both unseen calls are in today's figures"""
        today = published(rig)["today"]
        return bool(
            today["offered"] == before["offered"] + 2
            and today["answered"] == before["answered"] + 1
            and today["abandoned"] + today["short_abandoned"]
            == before["abandoned"] + before["short_abandoned"] + 1
        )

    wait_until(counted, timeout=60)


@pytest.mark.parametrize("idle_rig", CDR_SWITCHES, indirect=True, ids=" ".join)
def test_cdrs_read_back_after_lost_pushes_count_every_call_once(idle_rig: Rig) -> None:
    """The read-back after a reconnect starts a minute before the newest CDR counted, so it
    meets calls the events and their 30012 counted already: rows naming only their CDR (`uid`)
    are matched with them (the call id's seconds, the caller, the end), not counted again; the
    calls whose pushes were lost are counted, once each. `TIME_ZONE` is left at UTC, not the
    simulator's Asia/Bangkok: CDRs are placed by their instants (a row's `timestamp`, a 30012's
    call id), so the read-back does not depend on it."""
    rig = idle_rig
    rig.start_worker()
    rig.sim("POST", f"calls/{answered_call(rig, '5550061')}/hangup")
    early = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550062"})["call_id"]
    rig.sim("POST", f"calls/{early}/abandon")
    half = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550065"})["call_id"]
    wait_until(today_is(rig, offered=3, answered=1, handled=1, abandoned=1))

    rig.sim("POST", "clock/advance", {"seconds": 5})  # the calls below start seconds later
    rig.sim("POST", "faults/events", {"paused": True})  # pushes lost; the socket stays up
    rig.sim("POST", f"calls/{half}/abandon")  # seen waiting, its end never pushed
    rig.sim("POST", f"calls/{answered_call(rig, '5550063')}/hangup")  # never seen
    rig.sim("POST", "clock/advance", {"seconds": 5})
    gone = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550064"})["call_id"]
    rig.sim("POST", f"calls/{gone}/abandon")
    rig.sim("POST", "faults/events", {"paused": False})
    rig.sim("POST", "faults/drop_sockets")  # the reconnect reads the CDRs back

    wait_until(today_is(rig, offered=5, answered=2, handled=2, abandoned=3))
    # Whatever comes next (the periodic re-read, a second read-back) counts nothing more.
    up_since = (read_link(rig.redis_url) or {})["since"]
    rig.sim("POST", "faults/drop_sockets")

    def reconnected() -> bool:
        """the worker lost the link and is connected again"""
        link = read_link(rig.redis_url) or {}
        return bool(link.get("state") == "connected" and link["since"] != up_since)

    wait_until(reconnected)
    assert today_is(rig, offered=5, answered=2, handled=2, abandoned=3)()
    truth = rig.sim("GET", "state")["queues"][0]["today"]
    assert (truth["offered"], truth["answered"], truth["abandoned"]) == (5, 2, 3)


def test_a_reconnect_reads_cdrs_back_from_where_cdr_list_was_read_not_the_newest_push(
    idle_rig: Rig,
) -> None:
    """Pushes were dropped while a caller came and went; later calls' pushes came again, so the
    newest 30012 is minutes past the lost call. The read-back after the next reconnect starts
    where cdr/list was last read to, not a minute before the newest push: the lost call counts."""
    rig = idle_rig
    rig.env |= {"PBX_CDR_RECONCILE_SECONDS": "0"}  # only the reconnect reads cdr/list back
    rig.start_worker()
    rig.sim("POST", "faults/events", {"paused": True})
    lost = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550071"})["call_id"]
    rig.sim("POST", f"calls/{lost}/abandon")
    rig.sim("POST", "faults/events", {"paused": False})
    rig.sim("POST", "clock/advance", {"seconds": 180})
    rig.sim("POST", f"calls/{answered_call(rig, '5550072')}/hangup")
    wait_until(today_is(rig, offered=1, answered=1, handled=1))
    rig.sim("POST", "faults/drop_sockets")
    wait_until(today_is(rig, offered=2, answered=1, handled=1, abandoned=1))


def test_the_days_last_call_whose_pushes_were_dropped_reaches_the_board(idle_rig: Rig) -> None:
    """The PBX dropped every push of the last call, then no call ended again: the read-back
    that listed its CDR held it back (its events might still have been in flight), the next one
    counts it, and the board shows it although no event ever touched its queue again."""
    rig = idle_rig
    rig.env |= {"PBX_CDR_RECONCILE_SECONDS": "2"}
    rig.start_worker()
    rig.sim("POST", "faults/events", {"paused": True})
    lost = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550081"})["call_id"]
    rig.sim("POST", "clock/advance", {"seconds": 30})
    rig.sim("POST", f"calls/{lost}/abandon")
    rig.sim("POST", "faults/events", {"paused": False})
    wait_until(today_is(rig, offered=1, abandoned=1))
