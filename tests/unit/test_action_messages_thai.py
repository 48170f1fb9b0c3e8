"""Every message an action's toast can show comes in the supervisor's language: the PBX's
refusals, its errcode explanations, a PBX that did not answer and what a done action did."""

import pytest
from django.utils import translation

from dashboard.actions.messages import (
    SAID,
    done_message,
    failure_message,
    hang_up_refused,
    said,
    unreachable_message,
)
from dashboard.pbx.errors import EXPLANATIONS

FAILURES = [
    ("pause", 40002, True),
    ("login", 40002, False),
    ("listen", 70130, False),
    ("whisper", 70084, False),
    ("barge", -1, False),
    ("pause", 10005, False),
    ("unpause", 70132, False),
    ("pause", 99999, False),
    *[("pause", code, False) for code in EXPLANATIONS if code not in (-1, 40002)],
    ("login", -1, False),
]


def both(make: object) -> tuple[str, str]:
    assert callable(make)
    with translation.override("en"):
        english = make()
    with translation.override("th"):
        thai = make()
    return english, thai


def is_thai(text: str) -> bool:
    return any("\u0e00" <= char <= "\u0e7f" for char in text)


@pytest.mark.parametrize(("action", "errcode", "with_reason"), FAILURES)
def test_each_refusal_is_in_thai(action: str, errcode: int, with_reason: bool) -> None:
    english, thai = both(lambda: failure_message(action, errcode, with_reason))
    assert english != thai
    assert is_thai(thai), thai


@pytest.mark.parametrize("action", ["login", "logout", "pause", "unpause", "listen"])
def test_what_a_done_action_did_is_in_thai(action: str) -> None:
    english, thai = both(lambda: done_message(action, "1001", ["6400", "6401"]))
    assert "1001" in english
    assert "1001" in thai
    assert is_thai(thai), thai


def test_a_pbx_that_did_not_answer_and_a_refused_hang_up_are_in_thai() -> None:
    for make in (lambda: unreachable_message("ConnectTimeout"), lambda: hang_up_refused(10005)):
        english, thai = both(make)
        assert is_thai(thai), thai
        assert not is_thai(english)


@pytest.mark.parametrize("key", sorted(SAID))
def test_what_the_action_api_says_on_the_way_is_in_thai(key: str) -> None:
    params: dict[str, object] = {"detail": "x", "reason": "x", "queues": "6400", "agent": "1001"}
    params |= {"queue": "6400", "seconds": 30, "extension": "1100"}
    english, thai = both(lambda: said(key, **params))
    assert english != thai
    assert is_thai(thai), thai
