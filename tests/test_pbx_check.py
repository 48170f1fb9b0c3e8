"""`manage.py pbx_check` and the admin "PBX health" page, against the real simulator and Redis."""

import contextlib
import datetime
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django.fixtures import Settings

from devstack.procs import free_port
from tests.simcontrol import SimControl, quiet_sim

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]

CLIENT_ID = "wallboard"


class Sim(SimControl):
    """A running `python -m pbxsim` and its control API."""

    def __init__(self, url: str, secret: str) -> None:
        super().__init__(url)
        self.secret = secret

    def call_soon(self, delay_s: float = 1.0) -> None:
        """A caller joins queue 6400 shortly, while the check listens for events."""
        timer = threading.Timer(delay_s, self.control, ("calls", {"queue": "6400", "caller": "1"}))
        timer.start()


@pytest.fixture
def sim() -> Iterator[Sim]:
    with quiet_sim(CLIENT_ID) as (url, secret):
        yield Sim(url, secret)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that signs itself, like the one a PBX ships with."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Yeastar PBX")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = folder / "pbx.pem", folder / "pbx.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip
    return cert_file, key_file


ENVELOPE = b'{"errcode":10001,"errmsg":"INTERFACE NOT EXISTED"}'
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
ANSWER += b"Content-Length: %d\r\n\r\n%s" % (len(ENVELOPE), ENVELOPE)


@pytest.fixture
def tls_pbx(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An HTTPS port with a self-signed certificate that answers every request as a PBX does
    a wrong one (10001): its port and the certificate file."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed(tmp_path))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):  # timeouts, refused certificates, plain HTTP
                connection, _ = listener.accept()
                with context.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(65536)
                    tls.sendall(ANSWER)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], tmp_path / "pbx.pem"
    stop.set()
    thread.join()
    listener.close()


def configure(settings: Settings, url: str, secret: str) -> None:
    settings.PBX_URL = url
    settings.PBX_CLIENT_ID = CLIENT_ID
    settings.PBX_CLIENT_SECRET = secret
    settings.PBX_VERIFY_TLS = True
    settings.PBX_CA_BUNDLE = ""


def pbx_check(*args: str) -> tuple[bool, dict[str, dict[str, str]], str]:
    """Run the command in-process: (passed, results by check name, the text printed)."""
    out, exit_status = StringIO(), 0
    try:
        call_command("pbx_check", "--json", *args, stdout=out)
    except CommandError as error:
        exit_status = error.returncode
    report = json.loads(out.getvalue())
    assert exit_status == (0 if report["ok"] else 1)
    return report["ok"], {check["name"]: check for check in report["checks"]}, out.getvalue()


def statuses(results: dict[str, dict[str, str]]) -> dict[str, str]:
    return {name: result["status"] for name, result in results.items()}


def test_it_passes_a_healthy_pbx(sim: Sim, settings: Settings) -> None:
    configure(settings, sim.url, sim.secret)
    sim.call_soon()
    passed, results, printed = pbx_check("--event-wait", "10")
    assert passed
    assert set(statuses(results).values()) <= {"ok", "warn", "skipped"}
    for name in ("settings", "reachability", "credentials", "directory"):
        assert results[name]["status"] == "ok", results[name]
    assert "6400 Sales" in results["directory"]["finding"]
    assert statuses(results)["subscription"] == statuses(results)["delivery"] == "ok"
    assert sim.secret not in printed
    assert sim.control("state")["tokens"]["live"] == 1


def test_it_prints_a_readable_report(sim: Sim, settings: Settings) -> None:
    configure(settings, sim.url, sim.secret)
    sim.call_soon()
    out = StringIO()
    call_command("pbx_check", "--event-wait", "10", stdout=out)
    assert "[  ok   ] Queues and extensions visible: 2 queues (6400 Sales, 6401 Support);" in (
        out.getvalue()
    )
    assert "0 fail" in out.getvalue()


def test_a_wrong_secret_fails_with_one_login_only(sim: Sim, settings: Settings) -> None:
    configure(settings, sim.url, "not-the-secret")
    for _ in range(2):  # the second run waits out the first one's failure instead of logging in
        passed, results, printed = pbx_check("--event-wait", "0")
        assert not passed
        credentials = results["credentials"]
        assert credentials["status"] == "fail"
        assert "Client ID or Client Secret" in credentials["finding"]
        assert "PBX_CLIENT_SECRET" in credentials["fix"]
        assert statuses(results)["directory"] == "skipped"
    assert "No login is tried until" in credentials["finding"]
    assert "not-the-secret" not in printed
    assert sim.control("state")["tokens"]["failed_logins_in_a_row_peak"] == 1


def test_nothing_listening_fails_reachability(settings: Settings) -> None:
    configure(settings, f"http://127.0.0.1:{free_port()}", "s")
    passed, results, _ = pbx_check()
    assert not passed
    assert results["reachability"]["status"] == "fail"
    assert "Nothing accepts connections" in results["reachability"]["finding"]
    assert "8088" in results["reachability"]["fix"]
    assert statuses(results)["credentials"] == "skipped"


def test_https_to_a_plain_http_port_is_named(sim: Sim, settings: Settings) -> None:
    configure(settings, sim.url.replace("http://", "https://"), sim.secret)
    passed, results, _ = pbx_check()
    assert not passed
    assert "speaks plain HTTP" in results["reachability"]["finding"]


def test_an_untrusted_certificate_is_named(tls_pbx: tuple[int, Path], settings: Settings) -> None:
    configure(settings, f"https://127.0.0.1:{tls_pbx[0]}", "s")
    passed, results, _ = pbx_check()
    assert not passed
    reachability = results["reachability"]
    assert "certificate is not trusted (self-signed certificate)" in reachability["finding"]
    assert "PBX_CA_BUNDLE" in reachability["fix"]
    assert "PBX_VERIFY_TLS=false" in reachability["fix"]


def test_a_ca_bundle_or_no_verification_gets_through(
    tls_pbx: tuple[int, Path], settings: Settings
) -> None:
    port, certificate = tls_pbx
    configure(settings, f"https://127.0.0.1:{port}", "s")
    settings.PBX_CA_BUNDLE = str(certificate)
    assert pbx_check()[1]["reachability"]["status"] == "ok"
    settings.PBX_CA_BUNDLE, settings.PBX_VERIFY_TLS = "", False
    reachability = pbx_check()[1]["reachability"]
    assert reachability["status"] == "warn"
    assert "certificate is not checked" in reachability["finding"]


def test_plain_http_to_an_https_port_is_named(
    tls_pbx: tuple[int, Path], settings: Settings
) -> None:
    configure(settings, f"http://127.0.0.1:{tls_pbx[0]}", "s")
    reachability = pbx_check()[1]["reachability"]
    assert "as an HTTPS port does to plain HTTP" in reachability["finding"]
    assert "https://" in reachability["fix"]


def test_missing_settings_are_named(settings: Settings) -> None:
    configure(settings, "", "")
    passed, results, _ = pbx_check()
    assert not passed
    assert results["settings"]["finding"] == "PBX_URL, PBX_CLIENT_SECRET not set."
    assert set(statuses(results).values()) == {"fail", "skipped"}


def test_a_blocked_ip_is_named_with_how_to_unblock(sim: Sim, settings: Settings) -> None:
    for _ in range(5):  # five failed logins in a row: the PBX blocks the address
        body = {"username": CLIENT_ID, "password": "wrong"}
        httpx.post(f"{sim.url}/openapi/v1.0/get_token", json=body, headers={"User-Agent": "t"})
    configure(settings, sim.url, sim.secret)
    passed, results, _ = pbx_check("--event-wait", "0")
    assert not passed
    credentials = results["credentials"]
    assert "70004" in credentials["finding"]
    assert "Security > Security Rules > Blocked IPs" in credentials["fix"]


@pytest.mark.parametrize(
    ("errcode", "fix"),
    [(70087, "permitted IPs"), (70123, "Turn the API on"), (60002, "Eight tokens")],
)
def test_a_refused_login_is_explained(sim: Sim, settings: Settings, errcode: int, fix: str) -> None:
    sim.control("faults/errcode", {"endpoint": "get_token", "errcode": errcode})
    configure(settings, sim.url, sim.secret)
    passed, results, _ = pbx_check("--event-wait", "0")
    assert not passed
    assert results["credentials"]["finding"].startswith(f"get_token: {errcode} ")
    assert fix in results["credentials"]["fix"]


def test_an_unanswered_heartbeat_fails_the_subscription(sim: Sim, settings: Settings) -> None:
    configure(settings, sim.url, sim.secret)
    sim.control("faults/heartbeat", {"reply": False})
    passed, results, _ = pbx_check("--event-wait", "0")
    assert not passed
    assert "did not answer a heartbeat" in results["subscription"]["finding"]
    assert results["delivery"]["status"] == "skipped"


def test_silent_events_warn_with_what_to_check(sim: Sim, settings: Settings) -> None:
    configure(settings, sim.url, sim.secret)
    sim.control("faults/events", {"paused": True})
    sim.call_soon()
    passed, results, _ = pbx_check("--event-wait", "3")
    assert passed
    assert results["subscription"]["status"] == "ok"
    delivery = results["delivery"]
    assert delivery["status"] == "warn"
    assert "No event arrived" in delivery["finding"]
    assert "Status Monitors" in delivery["fix"]


def test_the_admin_page_is_for_staff_only(client: Client, bob: User) -> None:
    assert client.get("/admin/pbx-health/")["Location"].startswith("/admin/login/")
    client.force_login(bob)
    assert client.get("/admin/pbx-health/")["Location"].startswith("/admin/login/")
    assert client.post("/admin/pbx-health/")["Location"].startswith("/admin/login/")


def test_staff_see_the_checklist_and_run_it(
    client: Client, charlie: User, settings: Settings
) -> None:
    configure(settings, "", "")
    client.force_login(charlie)
    assert b'href="/admin/pbx-health/"' in client.get("/admin/").content
    page = client.get("/admin/pbx-health/").content.decode()
    assert "Credentials and IP allow-list" in page
    assert "Run the checks" in page
    ran = client.post("/admin/pbx-health/").content.decode()
    assert "PBX_URL, PBX_CLIENT_SECRET not set." in ran
    assert "Set them in the environment" in ran
