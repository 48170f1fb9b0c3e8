"""The PBX's configured queues, agent extensions and trunk (the seed the model runs on)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AgentDef:
    """An extension that answers queue calls; `id` is the REST ID, `number` what events carry."""

    id: int
    number: str
    name: str


@dataclass(frozen=True)
class QueueDef:
    """A call queue, the DID that routes to it and its static and dynamic agent numbers."""

    id: int
    number: str
    name: str
    did: str
    ring_strategy: str
    static_agents: tuple[str, ...]
    dynamic_agents: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        """Every agent number of the queue, static ones first (the order `linear` rings in)."""
        return self.static_agents + self.dynamic_agents


@dataclass(frozen=True)
class Directory:
    """Everything configured on the simulated PBX."""

    trunk_name: str
    agents: tuple[AgentDef, ...]
    queues: tuple[QueueDef, ...]


# Extension IDs deliberately differ from their numbers so a client mixing them up shows it.
DEFAULT_DIRECTORY = Directory(
    trunk_name="SIP-Trunk",
    agents=(
        AgentDef(17, "1001", "Anan Chaiyo"),
        AgentDef(18, "1002", "Bee Lim"),
        AgentDef(19, "1003", "Chen Wei"),
        AgentDef(20, "1004", "Dao Srisuk"),
        AgentDef(21, "1005", "Eve Park"),
        AgentDef(22, "1006", "Fah Noi"),
    ),
    queues=(
        QueueDef(1, "6400", "Sales", "021000100", "least_recent", ("1001", "1002"), ("1003",)),
        QueueDef(2, "6401", "Support", "021000101", "linear", ("1004", "1005"), ("1006", "1003")),
    ),
)
