"""The PBX's configured extensions, queues, pause reasons and trunk (the seed the model runs on)."""

from dataclasses import dataclass

# Defaults of a fresh PBX's pause reason list (reference §5.6): feature code → text.
DEFAULT_PAUSE_REASONS = (("*01", "Lunch"), ("*02", "Break"), ("*03", "Wrap up"))


@dataclass(frozen=True)
class ExtensionDef:
    """An extension; `id` is the REST ID, `number` what events carry."""

    id: int
    number: str
    name: str


@dataclass(frozen=True)
class QueueDef:
    """A call queue, the DID that routes to it, its agents and its timing settings."""

    id: int
    number: str
    name: str
    did: str
    ring_strategy: str
    static_agents: tuple[str, ...]
    dynamic_agents: tuple[str, ...]
    # Seconds: longest wait before failover, agent ring time, wrap-up after a call.
    max_wait_time: int = 600
    agent_timeout: int = 20
    retry_time: int = 5
    wrap_up_time: int = 10
    fail_dest: str = "end_call"
    fail_dest_value: str = ""
    # Missed calls in a row before the PBX pauses an agent (30025); 0 = never.
    auto_pause_misses: int = 3

    @property
    def members(self) -> tuple[str, ...]:
        """Every agent number of the queue, static ones first (the order `linear` rings in)."""
        return self.static_agents + self.dynamic_agents


@dataclass(frozen=True)
class Directory:
    """Everything configured on the simulated PBX."""

    trunk_name: str
    extensions: tuple[ExtensionDef, ...]
    queues: tuple[QueueDef, ...]
    pause_reasons: tuple[tuple[str, str], ...] = DEFAULT_PAUSE_REASONS

    def reason_text(self, code: str) -> str | None:
        """The text of a pause reason feature code, if it is configured."""
        return dict(self.pause_reasons).get(code)


# Extension IDs deliberately differ from their numbers so a client mixing them up shows it.
SMALL = Directory(
    trunk_name="SIP-Trunk",
    extensions=(
        ExtensionDef(17, "1001", "Anan Chaiyo"),
        ExtensionDef(18, "1002", "Bee Lim"),
        ExtensionDef(19, "1003", "Chen Wei"),
        ExtensionDef(20, "1004", "Dao Srisuk"),
        ExtensionDef(21, "1005", "Eve Park"),
        ExtensionDef(22, "1006", "Fah Noi"),
        ExtensionDef(23, "1007", "Gan Tong"),
        ExtensionDef(24, "1008", "Hana Ito"),
        # A supervisor: no queue, but it may monitor calls and dial.
        ExtensionDef(40, "1100", "Sam Supervisor"),
    ),
    queues=(
        QueueDef(
            1, "6400", "Sales", "021000100", "least_recent", ("1001", "1002"), ("1003", "1007"),
        ),
        QueueDef(
            2, "6401", "Support", "021000101", "linear", ("1004", "1005"), ("1006", "1003", "1008"),
            wrap_up_time=15, max_wait_time=120, fail_dest="ext_vm", fail_dest_value="1005",
        ),
    ),
)  # fmt: skip
