"""Wall-clock time in epoch milliseconds, the unit of every timestamp the PBX and boards share."""

import time


def now_ms() -> int:
    return int(time.time() * 1000)
