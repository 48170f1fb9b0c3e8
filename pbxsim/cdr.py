"""Call detail records of ended calls, as the PBX writes them (30012 and cdr/list)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from pbxsim.config import SimConfig
from pbxsim.records import Call, Cdr, PlainCall
from pbxsim.roster import Roster
from pbxsim.wire import JsonObj


def _seconds(start: float | None, end: float) -> int:
    return 0 if start is None else int(end - start)


def queue_cdr(call: Call, cdr_id: int, now: float, trunk_name: str) -> Cdr:
    """The CDR of a queue call that just ended."""
    answered = call.answered_at is not None
    # An extension that dialled the queue makes an internal call: no trunk, no DID.
    trunk = "" if call.internal else trunk_name
    return Cdr(
        id=cdr_id,
        call_id=call.call_id,
        time_start=call.waiting_since,
        call_from=call.caller,
        call_to=call.agent if answered and call.agent else call.queue.number,
        call_duration=_seconds(call.waiting_since, now),
        talk_duration=_seconds(call.answered_at, now),
        src_trunk_name=trunk,
        dst_trunk_name="",
        status="ANSWERED" if answered else "NO ANSWER",
        type="Internal" if call.internal else "Inbound",
        did_number="" if call.internal else call.queue.did,
        agent_ring_time=_seconds(call.ring_since, call.answered_at or now),
    )


def plain_cdr(call: PlainCall, cdr_id: int, now: float, trunk_name: str) -> Cdr:
    """The CDR of a dialled, internal or monitoring call that just ended."""
    outbound = call.type == "outbound"
    callee = call.legs[-1].number
    return Cdr(
        id=cdr_id,
        call_id=call.call_id,
        time_start=call.started,
        call_from=call.legs[0].number,
        call_to=call.legs[0].number if call.monitors else callee,
        call_duration=_seconds(call.started, now),
        talk_duration=_seconds(call.answered_at, now),
        src_trunk_name="",
        dst_trunk_name=trunk_name if outbound else "",
        status="ANSWERED" if call.answered_at is not None else "NO ANSWER",
        type="Outbound" if outbound else "Internal",
        did_number="",
        agent_ring_time=0,
    )


# cdr/list rows (§5.6b, Yeastar's "Query CDR List"; not the 30012 payload) carry the fields of
# the guide's CDR_Details, in its order (cdr_row). The sortable ones (`sort_by`), as it lists them:
SORT_FIELDS = (
    "id", "uid", "time", "duration", "ring_duration", "talk_duration", "disposition",
    "src_trunk", "dst_trunk", "call_type", "did_number", "dod_number", "src_addr",
)  # fmt: skip
# `time` in the display format system/information announces (YYYY-MM-DD, 24 h).
ROW_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def label(number: str, roster: Roster) -> str:
    """`call_from`/`call_to` as "the number and name" (§5.6b): `"Queue Sales<6400>"` (a live
    P570 wrote `"Queue CC_Team<6400>"`), `"Anan Chaiyo<1001>"`, and an outside number as its
    own name, `"0812345678<0812345678>"` (GUESS, as a live PBX wrote one)."""
    if not number:
        return ""
    queue = roster.queues.get(number)
    if queue is not None:
        return f"Queue {queue.name}<{number}>"
    agent = roster.agents.get(number)
    return f"{agent.defn.name if agent else number}<{number}>"


def cdr_row(cdr: Cdr, roster: Roster, zone: ZoneInfo, config: SimConfig) -> JsonObj:
    """One cdr/list row. GUESS switches: `uid` is the CDR's own ID (`cdr`: its local start and
    its sequence number in hex, the form a live PBX's took, "20260427184134D5F8F") or the
    call's id (`call_id`); `--cdr-call-id` adds the call's `call_id`, which the guide does not
    list. `ring_duration` is start → answer (the whole call when unanswered)."""
    start = datetime.fromtimestamp(cdr.time_start, zone)
    own_uid = f"{start:%Y%m%d%H%M%S}{cdr.id:05X}"
    row: JsonObj = {
        "id": cdr.id,
        "time": start.strftime(ROW_TIME_FORMAT),
        "call_from": label(cdr.call_from, roster),
        "call_to": label(cdr.call_to, roster),
        "timestamp": int(cdr.time_start),
        "uid": cdr.call_id if config.cdr_uid_style == "call_id" else own_uid,
        "src_addr": "",
        "src_trunk": cdr.src_trunk_name,
        "dst_trunk": cdr.dst_trunk_name,
        "duration": cdr.call_duration,
        "ring_duration": cdr.call_duration - cdr.talk_duration,
        "talk_duration": cdr.talk_duration,
        "disposition": cdr.status,
        "call_type": cdr.type,
        "did_number": cdr.did_number,
        "dod_number": "",
        "record_file": "",
    }
    if config.cdr_call_id:
        row["call_id"] = cdr.call_id
    return row
