"""Who may browse and manage the exchange registry, and who sees every transaction."""

from __future__ import annotations

from govhub.core.auth import permissions
from govhub.core.auth.models import Role

EXCHANGE_READ = "exchange:read"
EXCHANGE_MANAGE = "exchange:manage"  # org admins: only for members inside their own subtree
TRANSACTIONS_ALL = "exchange:transactions:all"

permissions.register(
    {
        Role.ORG_ADMIN: {EXCHANGE_READ, EXCHANGE_MANAGE},
        Role.OPERATOR: {EXCHANGE_READ},
        Role.AUDITOR: {EXCHANGE_READ, TRANSACTIONS_ALL},
    }
)
