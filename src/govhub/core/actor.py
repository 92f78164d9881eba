"""Who is acting, in one small value every service call and audit row can carry."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    kind: str  # user | api_key | citizen | cli | system
    id: str | None
    label: str
    role: str | None = None
    organisation_id: int | None = None
    user_id: int | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    ip: str | None = None
    request_id: str | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions or "*" in self.permissions


def cli_actor(label: str = "govhub cli") -> Actor:
    """Commands run by whoever holds the server's shell, so they may do anything and are audited as such."""
    return Actor(kind="cli", id=None, label=label, permissions=frozenset({"*"}))
