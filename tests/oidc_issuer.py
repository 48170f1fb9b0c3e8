"""A small OpenID Connect provider for tests, on loopback: discovery, its keys, an authorize
endpoint that signs in whoever the test names (as a provider would where that person already
has a session), a token endpoint that checks the client's secret, the code and PKCE, userinfo,
and sign-out."""

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "wallboard"


@dataclass
class Provider:
    """What the test sets (who is signed in there, any tampering) and what it reads back."""

    url: str = ""
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    person: dict[str, Any] = field(default_factory=dict)
    # "nonce": ID tokens carry a nonce of their own; "key": they are signed by a stranger's key.
    tamper: str = ""
    sign_outs: list[dict[str, str]] = field(default_factory=list)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    access: dict[str, dict[str, Any]] = field(default_factory=dict)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Where the browser goes next: back to the client with a code for this person."""
        assert query["client_id"] == CLIENT_ID
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "person": json.dumps(self.person)}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str], authorization: str) -> dict[str, Any]:
        expected = base64.b64encode(f"{CLIENT_ID}:{self.secret}".encode()).decode()
        assert authorization == f"Basic {expected}", "client secret not sent as agreed"
        grant = self.codes.pop(form["code"])  # one use only
        assert form["redirect_uri"] == grant["redirect_uri"]
        challenge = hashlib.sha256(form["code_verifier"].encode()).digest()
        assert base64.urlsafe_b64encode(challenge).rstrip(b"=").decode() == grant["code_challenge"]
        person = json.loads(grant["person"])
        access_token = secrets.token_urlsafe(16)
        self.access[access_token] = person
        nonce = secrets.token_urlsafe(8) if self.tamper == "nonce" else grant["nonce"]
        return {"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                "id_token": self.id_token(person, nonce)}  # fmt: skip

    def id_token(self, person: dict[str, Any], nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce}
        key = RSAKey.generate_key(2048, {"kid": "k1"}) if self.tamper == "key" else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, {**claims, **person}, key)


class Handler(BaseHTTPRequestHandler):
    server: "IssuerServer"

    def do_GET(self) -> None:
        provider, parts = self.server.provider, urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/openid-configuration":
            self.answer(provider.discovery())
        elif parts.path == "/jwks":
            self.answer({"keys": [provider.key.as_dict(private=False)]})
        elif parts.path == "/authorize":
            self.send_to(provider.authorize(query))
        elif parts.path == "/userinfo":
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            self.answer(provider.access[bearer])
        elif parts.path == "/logout":
            provider.sign_outs.append(query)
            self.send_to(f"{query['post_logout_redirect_uri']}?state={query['state']}")
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = {name: values[0] for name, values in parse_qs(self.rfile.read(length)).items()}
        strings = {name.decode(): value.decode() for name, value in form.items()}
        self.answer(self.server.provider.token(strings, self.headers["Authorization"]))

    def answer(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_to(self, url: str) -> None:
        self.send_response(302)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test's own assertions say what happened."""


class IssuerServer(ThreadingHTTPServer):
    provider: Provider


@contextlib.contextmanager
def running_issuer() -> Iterator[Provider]:
    server = IssuerServer(("127.0.0.1", 0), Handler)
    server.provider = Provider(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, name="oidc-issuer", daemon=True)
    thread.start()
    try:
        yield server.provider
    finally:
        server.shutdown()
        server.server_close()
