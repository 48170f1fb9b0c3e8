"""Names of the live-state streams, their Redis keys and their channel-layer groups."""

LINK_STREAM = "link"
EPOCH_KEY = "wb:epoch"


def queue_stream(number: str) -> str:
    return f"queue:{number}"


def stream_key(stream: str) -> str:
    """The Redis key holding a stream's latest `{"epoch", "seq", "data"}`."""
    return f"wb:stream:{stream}"


def stream_group(stream: str) -> str:
    """Channel-layer group names allow only ASCII letters, digits, '-', '_' and '.'."""
    return "wb." + stream.replace(":", ".")


def board_streams(queue_numbers: list[str]) -> list[str]:
    """Every board follows the PBX link's health and each of its queues."""
    return [LINK_STREAM, *(queue_stream(number) for number in queue_numbers)]
