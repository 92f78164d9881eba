"""Who may read, process and manage public services and dossiers."""

from __future__ import annotations

from govhub.core.auth import permissions
from govhub.core.auth.models import Role

SERVICES_READ = "services:read"
SERVICES_PROCESS = "services:process"  # officers move dossiers through the one-stop (một cửa) workflow
SERVICES_MANAGE = "services:manage"  # the procedure catalogue and the agency's settings

permissions.register(
    {
        Role.ORG_ADMIN: {SERVICES_READ, SERVICES_PROCESS, SERVICES_MANAGE},
        Role.OPERATOR: {SERVICES_READ, SERVICES_PROCESS},
        Role.AUDITOR: {SERVICES_READ},
    }
)
