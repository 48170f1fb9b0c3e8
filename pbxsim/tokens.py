"""Access/refresh token sessions with the 8-token cap, and the failed-login IP block."""

import secrets
import string
from dataclasses import dataclass

from pbxsim.wire import MAX_LIMITATION_EXCEEDED, TOKEN_EXPIRED, ApiError

ACCESS_TTL = 1800
REFRESH_TTL = 86400
MAX_LIVE_ACCESS = 8
MAX_FAILED_LOGINS = 5
TOKEN_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits


def new_token() -> str:
    """A 32-character alphanumeric token like the ones in the reference examples."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(TOKEN_LENGTH))


@dataclass
class Session:
    """One access token and the refresh token issued with it."""

    access: str
    access_expires: float
    refresh: str
    refresh_expires: float

    def live(self, now: float) -> bool:
        """Whether the access token still counts against the cap."""
        return now < self.access_expires


def _new_session(now: float) -> Session:
    return Session(new_token(), now + ACCESS_TTL, new_token(), now + REFRESH_TTL)


class TokenStore:
    """Tokens of the single API client this PBX knows about."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self._credentials = (client_id, client_secret)
        self._sessions: list[Session] = []
        self.peak_live = 0

    def credentials_ok(self, username: object, password: object) -> bool:
        """Whether a get_token body names this PBX's client ID and secret."""
        return (username, password) == self._credentials

    def issue(self, now: float) -> Session:
        """A new session, unless 8 access tokens are still live (60002)."""
        self._prune(now)
        if self.live_access(now) >= MAX_LIVE_ACCESS:
            raise ApiError(MAX_LIMITATION_EXCEEDED)
        return self._add(now)

    def refresh(self, refresh_token: str, now: float) -> Session:
        """Swap a session's tokens for new ones; the old access token dies at once."""
        old = next((s for s in self._sessions if s.refresh == refresh_token), None)
        if old is None or now >= old.refresh_expires:
            raise ApiError(TOKEN_EXPIRED)
        # Replacing a live token reuses its slot; reviving an expired one needs a free slot.
        if not old.live(now) and self.live_access(now) >= MAX_LIVE_ACCESS:
            raise ApiError(MAX_LIMITATION_EXCEEDED)
        self._sessions.remove(old)
        return self._add(now)

    def check(self, access_token: str, now: float) -> None:
        """Raise 10004 unless the access token is known and unexpired."""
        if not any(s.access == access_token and s.live(now) for s in self._sessions):
            raise ApiError(TOKEN_EXPIRED)

    def revoke(self, access_token: str) -> None:
        """Forget the session of this access token (its refresh token goes with it)."""
        self._sessions = [s for s in self._sessions if s.access != access_token]

    def expire_all(self, now: float, refresh: bool) -> None:
        """Let every access token (and, if asked, every refresh token) run out now."""
        for session in self._sessions:
            session.access_expires = min(session.access_expires, now)
            if refresh:
                session.refresh_expires = min(session.refresh_expires, now)

    def live_access(self, now: float) -> int:
        """How many access tokens count against the cap right now."""
        return sum(1 for s in self._sessions if s.live(now))

    def _add(self, now: float) -> Session:
        session = _new_session(now)
        self._sessions.append(session)
        self.peak_live = max(self.peak_live, self.live_access(now))
        return session

    def _prune(self, now: float) -> None:
        self._sessions = [s for s in self._sessions if now < s.refresh_expires]


class LoginGuard:
    """Blocks an address after five failed logins in a row, until the control API clears it."""

    def __init__(self) -> None:
        self._failures: dict[str, int] = {}
        self.blocked: set[str] = set()
        # The longest run of failures any one address has had since start (never reset).
        self.peak_run = 0

    def failed(self, address: str) -> None:
        """Count a failed login; the fifth in a row blocks the address."""
        count = self._failures.get(address, 0) + 1
        self._failures[address] = count
        self.peak_run = max(self.peak_run, count)
        if count >= MAX_FAILED_LOGINS:
            self.blocked.add(address)

    def succeeded(self, address: str) -> None:
        """A good login resets the run of failures."""
        self._failures.pop(address, None)

    def unblock(self) -> None:
        """Clear every block and every failure count."""
        self._failures.clear()
        self.blocked.clear()
