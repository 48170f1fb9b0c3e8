"""Request parsing and error mapping shared by the control API's handlers (plain HTTP statuses)."""

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from pbxsim.records import Conflict, NotFound
from pbxsim.wire import JsonObj


class BadRequest(ValueError):
    """The control request itself is malformed."""


_STATUS = {BadRequest: 400, NotFound: 404, Conflict: 409}


@web.middleware
async def errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Map model errors to plain HTTP statuses: control callers are tests, not PBX clients."""
    try:
        return await handler(request)
    except (BadRequest, NotFound, Conflict) as error:
        return web.json_response({"error": str(error)}, status=_STATUS[type(error)])


async def read_body(request: web.Request) -> JsonObj:
    """The JSON object body; an empty body is `{}`."""
    text = await request.text()
    try:
        body = json.loads(text) if text.strip() else {}
    except ValueError:
        raise BadRequest("body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def text_field(body: JsonObj, key: str) -> str:
    """A required non-empty string."""
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"'{key}' must be a non-empty string")
    return value


def bool_field(body: JsonObj, key: str) -> bool:
    """A required true/false."""
    value = body.get(key)
    if not isinstance(value, bool):
        raise BadRequest(f"'{key}' must be true or false")
    return value


def number_field(body: JsonObj, key: str, minimum: float = 0) -> float:
    """A required number of at least `minimum`."""
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise BadRequest(f"'{key}' must be a number >= {minimum:g}")
    return float(value)


def int_field(body: JsonObj, key: str, minimum: int) -> int:
    """A required integer of at least `minimum`."""
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadRequest(f"'{key}' must be an integer >= {minimum}")
    return value
