"""The durable copy of the shared PBX token, in the database."""

from dataclasses import asdict

from dashboard.models import PbxToken
from dashboard.pbx.tokens import StoredToken

ROW_ID = 1


class DatabaseTokenVault:
    async def load(self) -> StoredToken | None:
        row = await PbxToken.objects.filter(pk=ROW_ID).afirst()
        if row is None:
            return None
        return StoredToken(
            row.access_token, row.access_expires_at, row.refresh_token, row.refresh_expires_at
        )

    async def save(self, token: StoredToken | None) -> None:
        if token is None:
            await PbxToken.objects.filter(pk=ROW_ID).adelete()
        else:
            await PbxToken.objects.aupdate_or_create(pk=ROW_ID, defaults=asdict(token))
