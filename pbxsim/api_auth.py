"""Token endpoints: get_token, refresh_token, del_token (reference §2)."""

from pbxsim.api_core import ApiRequest
from pbxsim.sim import Simulator
from pbxsim.tokens import ACCESS_TTL, REFRESH_TTL, Session
from pbxsim.wire import FAILURE, SUCCESS, ApiError, JsonObj, envelope, required


def _token_reply(session: Session) -> JsonObj:
    return envelope(
        SUCCESS,
        access_token_expire_time=ACCESS_TTL,
        access_token=session.access,
        refresh_token_expire_time=REFRESH_TTL,
        refresh_token=session.refresh,
    )


def get_token(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Log in with the client ID and secret; failures count towards the IP block."""
    if not sim.tokens.credentials_ok(req.body.get("username"), req.body.get("password")):
        sim.guard.failed(req.address)
        raise ApiError(FAILURE, [{"field": "username or password", "value": "error"}])
    sim.guard.succeeded(req.address)
    return _token_reply(sim.tokens.issue(sim.now()))


def refresh_token(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Trade the latest refresh token for a new pair."""
    token = req.body.get("refresh_token")
    if not isinstance(token, str) or not token:
        raise required("refresh_token")
    return _token_reply(sim.tokens.refresh(token, sim.now()))


def del_token(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Revoke the access token the request was made with."""
    sim.tokens.revoke(req.query["access_token"])
    return envelope(SUCCESS)
