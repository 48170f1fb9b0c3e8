"""Debian's programs that some tests run (nginx, slapd), in /usr/sbin too, which a non-root PATH
may lack. One missing: a laptop skips those tests, CI (REQUIRE_BROWSER=1, .ci/run) fails them."""

import os
import shutil

import pytest


def debian_program(name: str, package: str, purpose: str) -> str:
    """The program's path, or the calling test skipped (failed in CI) with what to install."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if found is None:
        reason = f"{name} is missing: install Debian's {package} to run {purpose}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return found
