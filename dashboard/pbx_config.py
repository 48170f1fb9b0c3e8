"""The PBX settings as Django's settings give them (PBX_URL, PBX_CLIENT_ID, …)."""

from django.conf import settings

from dashboard.pbx.rest import PbxSettings


def configured_pbx() -> PbxSettings:
    """The PBX settings as they are, blanks included: callers decide what a blank means."""
    return PbxSettings(
        url=settings.PBX_URL,
        client_id=settings.PBX_CLIENT_ID,
        client_secret=settings.PBX_CLIENT_SECRET,
        verify_tls=settings.PBX_VERIFY_TLS,
        ca_bundle=settings.PBX_CA_BUNDLE,
    )
