"""Human messages for what the PBX answered to an action (pure), in the supervisor's language
(the request's: docs/glossary-th.md for the Thai words)."""

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from dashboard.pbx.agent_control import MONITOR_MODES
from dashboard.pbx.errors import EXPLANATIONS

NO_PAUSE_REASONS = gettext_lazy(
    "The PBX refused the pause reason: pause reasons need the PBX's Call Center feature "
    "(Enterprise or Ultimate plan), and the code must be in its list."
)
NOT_DYNAMIC = gettext_lazy(
    "The PBX refused: only dynamic agents can be logged in or out, and only of queues they "
    "belong to."
)
CHANNEL_GONE = gettext_lazy("The agent's call has ended: the PBX no longer knows its channel.")
MONITOR_FORBIDDEN = gettext_lazy(
    "The PBX does not allow monitoring this call: enable Call Monitor on the agent's extension "
    "(Extension > Features > Call Monitor)."
)
MONITOR_FAILED = gettext_lazy(
    "The PBX could not ring your extension: is it busy, or not registered?"
)
NO_PERMISSION = gettext_lazy(
    "The wallboard's API application lacks permission for this on the PBX "
    "(Integrations > API: allow call control and queue management)."
)
NOT_ALLOWED = gettext_lazy("The PBX does not allow this (feature disabled or not permitted).")
# errcodes meaning "feature disabled or not allowed" (§2.6).
FORBIDDEN_CODES = {10009, 70084, 70132}


def failure_message(action: str, errcode: int, with_reason: bool = False) -> str:
    """What went wrong, in words a supervisor can act on."""
    return str(_failure(action, errcode, with_reason))


def _failure(action: str, errcode: int, with_reason: bool) -> str | Promise:
    if action == "pause" and with_reason and errcode in {40002, 10009}:
        return NO_PAUSE_REASONS
    if action in ("login", "logout") and errcode == 40002:
        return NOT_DYNAMIC
    if action in MONITOR_MODES:
        if errcode == 70130:
            return CHANNEL_GONE
        if errcode in FORBIDDEN_CODES:
            return MONITOR_FORBIDDEN
        if errcode == -1:
            return MONITOR_FAILED
    if errcode == 10005:
        return NO_PERMISSION
    if errcode in FORBIDDEN_CODES:
        return NOT_ALLOWED
    if errcode in EXPLANATIONS:  # marked for translation where they are written
        return gettext(EXPLANATIONS[errcode])
    return gettext("The PBX refused the request (errcode %(errcode)s).") % {"errcode": errcode}


def unreachable_message(detail: str) -> str:
    """The transport's own words stay in brackets: they name what to fix, and have no Thai."""
    sentence = gettext(
        "The PBX did not answer (%(detail)s). Nothing was changed; try again shortly."
    )
    return sentence % {"detail": detail}


DONE = {
    "login": gettext_lazy("Agent %(agent)s is logged in to %(where)s."),
    "logout": gettext_lazy("Agent %(agent)s is logged out of %(where)s."),
    "pause": gettext_lazy("Agent %(agent)s is paused in %(where)s."),
    "unpause": gettext_lazy("Agent %(agent)s is unpaused in %(where)s."),
}


def done_message(action: str, agent: str, queues: list[str]) -> str:
    """What a confirmed action did."""
    done = DONE.get(action, gettext_lazy("You are monitoring agent %(agent)s's call (%(mode)s)."))
    return str(done) % {"agent": agent, "where": ", ".join(queues), "mode": action}


def hang_up_refused(errcode: int) -> str:
    """The PBX would not hang up the supervisor's monitoring call (it goes on)."""
    reason = failure_message("stop", errcode)
    return gettext("The PBX refused to hang up your monitoring call: %(reason)s") % {
        "reason": reason
    }


# What the action API itself says on the way (refusals before the PBX is asked, progress): in the
# supervisor's language too. The API's checks of a request's shape stay English: no screen sends
# a malformed request, so only a developer ever reads them (docs/actions.md).
SAID = {
    "not_an_actor": gettext_lazy("Only supervisors and admins may act on agents."),
    "under_way": gettext_lazy("This action is already under way."),
    "no_action": gettext_lazy("No such action."),
    "no_board": gettext_lazy("No such board, or it is not shared with you."),
    "no_queues": gettext_lazy("Could not read the PBX's queues: %(detail)s"),
    "display": gettext_lazy("Wall displays cannot act on agents."),
    "sign_in": gettext_lazy("Sign in first."),
    "csrf": gettext_lazy("CSRF check failed (%(reason)s): reload the page and try again."),
    "too_many": gettext_lazy("Too many actions in a minute: wait a moment and try again."),
    "not_your_queue": gettext_lazy("You may not act on queue %(queues)s."),
    "not_an_agent": gettext_lazy("Extension %(agent)s is not an agent of any queue on the PBX."),
    "not_a_member": gettext_lazy("Agent %(agent)s is not a member of queue %(queues)s."),
    "queue_gone": gettext_lazy("A queue of this action no longer exists on the PBX."),
    "sent": gettext_lazy("Sent to the PBX; waiting for it to confirm."),
    "not_confirmed": gettext_lazy("Not confirmed by the PBX within %(seconds)s s."),
    "not_on_a_call": gettext_lazy("Agent %(agent)s is not on a call now."),
    "other_queue": gettext_lazy("This call came through queue %(queue)s, not one of yours."),
    "ringing_you": gettext_lazy("Ringing your extension %(extension)s…"),
    "monitoring_ended": gettext_lazy("Monitoring has ended."),
    "ended_unanswered": gettext_lazy("The monitoring call ended before you answered."),
    "no_answer": gettext_lazy("Your extension did not answer within %(seconds)s s."),
    # Stopping or switching monitoring.
    "not_a_session": gettext_lazy("No such monitoring session of yours."),
    "stopped": gettext_lazy("Monitoring stopped; the agent's call goes on."),
    "monitor_ended": gettext_lazy("This monitoring call has already ended."),
    "call_ended": gettext_lazy("The call you were monitoring has ended."),
}


def said(key: str, **params: object) -> str:
    """One of SAID in the active language, its %(name)s filled in."""
    text = str(SAID[key])
    return text % params if params else text
