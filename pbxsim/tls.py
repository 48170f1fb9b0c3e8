"""A self-signed certificate made at start, for serving https:// and wss:// (`--tls`)."""

import datetime
import ipaddress
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

# Long enough for any test or demo run, short enough that nobody mistakes it for a real one.
VALID_DAYS = 30


def _alt_names(host: str) -> list["x509.GeneralName"]:
    from cryptography import x509

    names: list[x509.GeneralName] = []
    for alt in sorted({host, "localhost", "127.0.0.1"}):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(alt)))
        except ValueError:
            names.append(x509.DNSName(alt))
    return names


def write_self_signed(host: str, directory: Path) -> tuple[Path, Path]:
    """Write `cert.pem` and `key.pem` for `host` (plus localhost/127.0.0.1) into `directory`."""
    # Imported here: only --tls needs it (it comes with Daphne's TLS dependencies).
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(_certificate(key, host))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _certificate(key: "ec.EllipticCurvePrivateKey", host: str) -> bytes:
    """A PEM certificate for `key`, self-signed and its own CA, so clients can trust it as one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pbxsim")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alt_names(host)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """A TLS server context serving this certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context
