"""Codes as an authenticator app computes them (RFC 6238 over RFC 4226), by hand with hmac: the
tests check the product's codes against this, never against the product's own computation."""

import hmac
import re
import struct
import time
from base64 import b32decode

STEP_S = 30
DIGITS = 6
# The secret as the enrolment page shows it for typing in by hand, in groups of four.
SHOWN_SECRET = re.compile(r'<code id="totp-secret">([A-Z2-7 ]+)</code>')


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code of the time step `steps_ahead` of now, for the base32 `secret` (spaces allowed).
    A server allows one step either side of its clock: the next step's code is the next one the
    app shows, and a code not yet used."""
    key = b32decode(secret.replace(" ", ""))
    counter = int(time.time()) // STEP_S + steps_ahead
    digest = hmac.new(key, struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def wrong_code(secret: str) -> str:
    """A code that none of the steps the server accepts now (or soon) would give."""
    near = {code(secret, step) for step in range(-3, 8)}
    return next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in near)


def shown_secret(page: str) -> str:
    found = SHOWN_SECRET.search(page)
    assert found is not None, "the enrolment page shows no secret"
    return found[1]
