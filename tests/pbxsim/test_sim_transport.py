"""Transport rules every /openapi/ request obeys: User-Agent, access_token, unknown endpoints."""

import httpx
import pytest

from tests.pbxsim.sim_harness import RunningSim


@pytest.mark.parametrize("user_agent", [None, ""])
async def test_it_rejects_requests_without_a_user_agent(
    sim: RunningSim, user_agent: str | None
) -> None:
    """§2.4, §10.1: no `User-Agent` → 40002."""
    body = {"username": sim.config.client_id, "password": sim.config.client_secret}
    async with httpx.AsyncClient(base_url=sim.base_url, trust_env=False) as bare:
        del bare.headers["User-Agent"]
        if user_agent is not None:
            bare.headers["User-Agent"] = user_agent
        response = await bare.post("/openapi/v1.0/get_token", json=body)

    assert response.status_code == 200
    reply = response.json()
    assert reply["errcode"] == 40002
    assert reply["errmsg"] == "PARAMETER ERROR"
    assert reply["invalid_param_list"] == [{"field": "User-Agent", "validation_type": "required"}]


@pytest.mark.parametrize("token", [None, "", "A" * 32])
async def test_it_wants_a_live_access_token_in_the_query(
    sim: RunningSim, token: str | None
) -> None:
    """§0, §2.4: missing/unknown token → 10004."""
    reply = await sim.api("GET", "queue/list", token=token)

    assert reply == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}


async def test_it_ignores_a_bearer_header(sim: RunningSim) -> None:
    """§2.4: a Bearer header alone is 10004."""
    token = await sim.token()

    reply = await sim.api("GET", "queue/list", headers={"Authorization": f"Bearer {token}"})

    assert reply["errcode"] == 10004


@pytest.mark.parametrize(
    ("method", "endpoint"),
    [("GET", "queue/nonsense"), ("POST", "queue/list"), ("GET", "get_token"), ("GET", "")],
)
async def test_it_answers_unknown_endpoints_and_wrong_methods_with_10001(
    sim: RunningSim, method: str, endpoint: str
) -> None:
    """§0, §10.1: wrong path or method → 10001."""
    reply = await sim.api(method, endpoint, token=await sim.token())

    assert reply == {"errcode": 10001, "errmsg": "INTERFACE NOT EXISTED"}


async def test_it_reports_a_malformed_json_body_as_a_syntax_error(sim: RunningSim) -> None:
    """§2.6: 40001 PARAMETER SYNTAX ERROR."""
    reply = await sim.api("POST", "get_token", content=b"{not json")

    assert reply == {"errcode": 40001, "errmsg": "PARAMETER SYNTAX ERROR"}
