"""PBX REST calls with the shared token: a 10004 answer renews the token once and retries once."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from dashboard.pbx.errors import TokenExpired
from dashboard.pbx.replies import ExtensionRow, QueueRow
from dashboard.pbx.rest import PbxRest
from dashboard.pbx.tokens import TokenManager

PAGE_SIZE = 100


class PbxApi:
    def __init__(self, rest: PbxRest, tokens: TokenManager) -> None:
        self.rest = rest
        self.tokens = tokens

    async def get(
        self, endpoint: str, empty_ok: bool = False, **params: str | int
    ) -> dict[str, Any]:
        """GET with the shared token; with `empty_ok`, 60001 DATA NOT FOUND returns `{}`."""
        return await self._with_token(
            lambda token: self.rest.get(endpoint, token, empty_ok, **params)
        )

    async def post(self, endpoint: str, body: Mapping[str, object]) -> dict[str, Any]:
        return await self._with_token(lambda token: self.rest.post(endpoint, token, body))

    async def queue_list(self) -> list[QueueRow]:
        """Every queue, with its members (`queue/list`, whose rows are under `queue_list`)."""
        return await self._pages("queue/list", "queue_list")

    async def extension_list(self) -> list[ExtensionRow]:
        """Every extension (`extension/list`)."""
        return await self._pages("extension/list", "data")

    async def _pages(self, endpoint: str, key: str) -> list[Any]:
        """Every row of a paged list endpoint (`total_number` counts all pages), as JSON: the
        readers above name the rows' type."""
        items: list[Any] = []
        page = 1
        while True:
            body = await self.get(endpoint, empty_ok=True, page=page, page_size=PAGE_SIZE)
            listed = body.get(key) or []
            items += listed
            if not listed or len(items) >= int(body.get("total_number", 0)):
                return items
            page += 1

    async def _with_token(self, call: Callable[[str], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        token = await self.tokens.token()
        try:
            return await call(token)
        except TokenExpired:
            return await call(await self.tokens.renew(token))
