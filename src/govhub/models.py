"""Every part's tables in one metadata, for Alembic and for tests; only top-level modules import all parts."""

from govhub.core.adminunits import models as adminunits_models
from govhub.core.audit import models as audit_models
from govhub.core.auth import models as auth_models
from govhub.core.database import Base
from govhub.core.orgs import models as orgs_models
from govhub.exchange import models as exchange_models
from govhub.services import models as services_models

__all__ = [
    "Base",
    "adminunits_models",
    "audit_models",
    "auth_models",
    "exchange_models",
    "orgs_models",
    "services_models",
]
