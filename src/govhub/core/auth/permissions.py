"""Role → permission table in one place, so a reviewer can read who may do what."""

from __future__ import annotations

from govhub.core.auth.models import Role

ORGS_READ = "orgs:read"
ORGS_MANAGE = "orgs:manage"
USERS_READ = "users:read"
USERS_MANAGE = "users:manage"
KEYS_MANAGE = "keys:manage"
AUDIT_READ = "audit:read"
ADMINUNITS_MANAGE = "adminunits:manage"

ALL = frozenset(
    {ORGS_READ, ORGS_MANAGE, USERS_READ, USERS_MANAGE, KEYS_MANAGE, AUDIT_READ, ADMINUNITS_MANAGE}
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({"*"}),
    # An organisation admin manages people and keys of its own subtree only (checked in the service).
    Role.ORG_ADMIN: frozenset({ORGS_READ, USERS_READ, USERS_MANAGE, KEYS_MANAGE}),
    Role.OPERATOR: frozenset({ORGS_READ}),
    Role.AUDITOR: frozenset({ORGS_READ, USERS_READ, AUDIT_READ}),
}


def register(grants: dict[Role, set[str]]) -> None:
    """Parts add their own permissions at import time; core stays unaware of which parts exist."""
    global ALL
    for role, extra in grants.items():
        ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS.get(role, frozenset()) | frozenset(extra)
        ALL = ALL | frozenset(extra)


def known() -> frozenset[str]:
    return ALL


def for_role(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def narrow(role_permissions: frozenset[str], scopes: list[str]) -> frozenset[str]:
    """An API key never exceeds its owner's role; its scopes can only take away."""
    if "*" in scopes:
        return role_permissions
    if "*" in role_permissions:
        return frozenset(scopes)
    return frozenset(s for s in scopes if s in role_permissions)
