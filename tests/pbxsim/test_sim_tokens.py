"""Token lifecycle: issue, the 8-token cap, refresh, revoke, expiry and the failed-login block."""

import asyncio
import re
import time

from tests.pbxsim.sim_harness import WAIT, RunningSim, StartSim

ACCESS_TTL, REFRESH_TTL = 1800, 86400
# Seconds between two looks at a condition that comes true by the passing of time.
POLL = 0.05


async def test_it_issues_a_documented_token_pair(sim: RunningSim) -> None:
    """§2.1: token pair, lifetimes, 32 alphanumerics."""
    reply = await sim.login()

    assert reply["errcode"] == 0
    assert reply["errmsg"] == "SUCCESS"
    assert reply["access_token_expire_time"] == ACCESS_TTL
    assert reply["refresh_token_expire_time"] == REFRESH_TTL
    for key in ("access_token", "refresh_token"):
        assert re.fullmatch(r"[A-Za-z0-9]{32}", reply[key])
    assert (await sim.api("GET", "queue/list", token=reply["access_token"]))["errcode"] == 0


async def test_it_refuses_wrong_credentials_with_failure(sim: RunningSim) -> None:
    """§2.1, §1: -1 FAILURE with invalid_param_list."""
    reply = await sim.login(password="wrong")

    assert reply == {
        "errcode": -1,
        "errmsg": "FAILURE",
        "invalid_param_list": [{"field": "username or password", "value": "error"}],
    }


async def test_it_caps_live_access_tokens_at_eight(sim: RunningSim) -> None:
    """§2.4: 8 live access tokens; the 9th get_token → 60002."""
    tokens = [await sim.token() for _ in range(8)]

    assert await sim.login() == {"errcode": 60002, "errmsg": "MAX LIMITATION EXCEEDED"}
    assert (await sim.state())["tokens"]["live"] == 8
    # Every earlier token is still good: a new login never invalidates older ones.
    for token in tokens:
        assert (await sim.api("GET", "extension/list", token=token))["errcode"] == 0


async def test_revoking_a_token_kills_it_and_frees_its_slot(sim: RunningSim) -> None:
    """§2.3: del_token."""
    tokens = [await sim.token() for _ in range(8)]

    assert await sim.api("GET", "del_token", token=tokens[0]) == {"errcode": 0, "errmsg": "SUCCESS"}

    assert (await sim.api("GET", "queue/list", token=tokens[0]))["errcode"] == 10004
    assert (await sim.login())["errcode"] == 0


async def test_refresh_swaps_the_pair_and_kills_the_old_access_token(sim: RunningSim) -> None:
    """§2.2: refresh_token."""
    first = await sim.login()

    second = await sim.api("POST", "refresh_token", json={"refresh_token": first["refresh_token"]})

    assert second["errcode"] == 0
    assert second["access_token_expire_time"] == ACCESS_TTL
    assert {second["access_token"], second["refresh_token"]}.isdisjoint(
        {first["access_token"], first["refresh_token"]}
    )
    assert (await sim.api("GET", "queue/list", token=first["access_token"]))["errcode"] == 10004
    assert (await sim.api("GET", "queue/list", token=second["access_token"]))["errcode"] == 0
    reused = await sim.api("POST", "refresh_token", json={"refresh_token": first["refresh_token"]})
    assert reused["errcode"] == 10004
    assert (await sim.state())["tokens"]["live"] == 1


async def test_refresh_without_a_token_is_a_parameter_error(sim: RunningSim) -> None:
    """§2.2, §1: 40002 required."""
    reply = await sim.api("POST", "refresh_token", json={})

    assert reply["errcode"] == 40002
    assert reply["invalid_param_list"] == [
        {"field": "refresh_token", "validation_type": "required"}
    ]


async def test_access_tokens_expire_after_1800_simulated_seconds(sim: RunningSim) -> None:
    """§2.4: access token 1800 s."""
    pair = await sim.login()
    await sim.control("clock/advance", {"seconds": ACCESS_TTL - 1})
    assert (await sim.api("GET", "queue/list", token=pair["access_token"]))["errcode"] == 0

    await sim.control("clock/advance", {"seconds": 1})

    assert (await sim.api("GET", "queue/list", token=pair["access_token"]))["errcode"] == 10004
    assert (await sim.state())["tokens"]["live"] == 0
    # The refresh token outlives it and brings the session back.
    renewed = await sim.api("POST", "refresh_token", json={"refresh_token": pair["refresh_token"]})
    assert (await sim.api("GET", "queue/list", token=renewed["access_token"]))["errcode"] == 0


async def test_refresh_tokens_expire_after_a_simulated_day(sim: RunningSim) -> None:
    """§2.4: refresh token 86400 s."""
    pair = await sim.login()

    await sim.control("clock/advance", {"seconds": REFRESH_TTL})

    reply = await sim.api("POST", "refresh_token", json={"refresh_token": pair["refresh_token"]})
    assert reply["errcode"] == 10004


async def test_five_failed_logins_in_a_row_block_the_address_until_unblocked(
    sim: RunningSim,
) -> None:
    """§2.5: 5 failed logins → 70004."""
    token = await sim.token()
    for _ in range(5):
        assert (await sim.login(password="wrong"))["errcode"] == -1

    blocked = {"errcode": 70004, "errmsg": "ACCOUNT IP BLOCKED"}
    assert await sim.login() == blocked
    assert await sim.api("GET", "queue/list", token=token) == blocked
    assert (await sim.state())["blocked_addresses"] == ["127.0.0.1"]

    assert await sim.control("unblock") == {"unblocked": ["127.0.0.1"]}

    assert (await sim.login())["errcode"] == 0
    assert (await sim.api("GET", "queue/list", token=token))["errcode"] == 0


async def test_a_good_login_resets_the_run_of_failures(sim: RunningSim) -> None:
    """§2.5: only failures in a row count."""
    for _ in range(4):
        await sim.login(password="wrong")
    await sim.token()
    for _ in range(4):
        await sim.login(password="wrong")

    assert (await sim.login())["errcode"] == 0


async def test_speed_makes_tokens_expire_in_simulated_time(start_sim: StartSim) -> None:
    """§2.4 under --speed: lifetimes are simulated seconds."""
    # At 7200 simulated seconds per second an access token lives a quarter of a second.
    sim = await start_sim(speed=7200)
    token = await sim.token()
    started = time.monotonic()

    for _ in range(int(WAIT / POLL)):
        if (await sim.api("GET", "queue/list", token=token))["errcode"] == 10004:
            break
        await asyncio.sleep(POLL)

    assert time.monotonic() - started < 2
    assert (await sim.state())["tokens"]["live"] == 0
