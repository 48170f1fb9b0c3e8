"""A Docker base image made from Debian's packages with debootstrap, for hosts with no registry."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUITE = "bookworm"
DEFAULT_TAG = f"wallboard-debian-base:{SUITE}"
# What the Dockerfile's stages need of a base, as the official python image has them: Python
# 3.11 (bookworm's python3), its venv module and its headers (python-ldap builds against them),
# and the CA store that pip is pointed at. apt, for what each stage adds, comes with Debian.
PACKAGES = ("python3", "python3-venv", "python3-dev", "ca-certificates")
# The CAs this host adds to Debian's (an HTTPS proxy's, say): the builds' downloads pass through
# the same network, so the image trusts them too.
HOST_CAS = Path("/usr/local/share/ca-certificates")
# pip trusts its own copy of Mozilla's CAs, not the system's store, unless told so.
PIP_CONF = "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n"
HOST_APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
DEBIAN = "http://deb.debian.org/debian"
DEBIAN_SECURITY = "http://deb.debian.org/debian-security"
# A source line in either of apt's formats: `deb [options] URI suite…` or deb822's `URIs: URI…`.
_SOURCE_URIS = re.compile(r"^(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(.+)$", re.MULTILINE)


def mirrors(sources: str) -> tuple[str, str]:
    """The Debian mirror and security mirror that apt sources name (Debian's own if none)."""
    uris = [uri.rstrip("/") for line in _SOURCE_URIS.findall(sources) for uri in line.split()]
    main = next((uri for uri in uris if uri.endswith("/debian")), DEBIAN)
    security = next((uri for uri in uris if uri.endswith("/debian-security")), DEBIAN_SECURITY)
    return main, security


def host_mirrors() -> tuple[str, str]:
    """The mirrors this host's apt uses: the ones known to be reachable from here."""
    return mirrors("\n".join(path.read_text() for path in HOST_APT_SOURCES if path.exists()))


def apt_sources(main: str, security: str) -> str:
    """The image's sources.list: the suite with its updates and security fixes."""
    return (
        f"deb {main} {SUITE} main\n"
        f"deb {main} {SUITE}-updates main\n"
        f"deb {security} {SUITE}-security main\n"
    )


def image_exists(tag: str) -> bool:
    inspect = ["docker", "image", "inspect", tag]
    return subprocess.run(inspect, capture_output=True, check=False).returncode == 0


def bootstrap(root: Path) -> None:
    """A minimal Debian in root, apt pointed at the host's mirrors, its download caches emptied."""
    main, security = host_mirrors()
    subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}",
         SUITE, str(root), main],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    (root / "etc/apt/sources.list").write_text(apt_sources(main, security))
    trust_host_cas(root)
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for path in (root / cache).glob("*"):
            if path.is_file():
                path.unlink()


def trust_host_cas(root: Path) -> None:
    """The host's own CAs in the tree's CA store, and pip reading that store."""
    for ca in HOST_CAS.glob("*.crt"):
        shutil.copy(ca, root / "usr/local/share/ca-certificates" / ca.name)
    subprocess.run(["chroot", str(root), "update-ca-certificates"], check=True, capture_output=True)
    (root / "etc/pip.conf").write_text(PIP_CONF)


def import_image(root: Path, tag: str) -> None:
    """docker import the tree as tag, with the settings the official image has."""
    tar = subprocess.Popen(
        ["tar", "--numeric-owner", "-C", str(root), "-c", "."], stdout=subprocess.PIPE
    )
    changes = ["--change", "ENV LANG=C.UTF-8", "--change", 'CMD ["bash"]']
    subprocess.run(
        ["docker", "import", *changes, "-", tag], stdin=tar.stdout, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    if tar.wait() != 0:
        raise subprocess.CalledProcessError(tar.returncode, tar.args)


def ensure_base(tag: str = DEFAULT_TAG, rebuild: bool = False) -> bool:
    """Make the base image unless tag exists already; True if it was made now."""
    if image_exists(tag) and not rebuild:
        return False
    with tempfile.TemporaryDirectory(prefix="debian-base-") as workdir:
        root = Path(workdir) / "root"
        bootstrap(root)
        import_image(root, tag)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tag", default=DEFAULT_TAG, help=f"image tag (default {DEFAULT_TAG})")
    parser.add_argument("--rebuild", action="store_true", help="make it even if the tag exists")
    args = parser.parse_args(argv)
    made = ensure_base(args.tag, args.rebuild)
    print(f"debian_base: {args.tag} {'made' if made else 'already there'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
