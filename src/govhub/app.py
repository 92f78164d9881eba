"""The application factory: the one place that knows every part and mounts its routers and pages."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govhub import __version__, home
from govhub.core import errors, health
from govhub.core.adminunits import api as adminunits_api
from govhub.core.adminunits import views as adminunits_views
from govhub.core.audit import api as audit_api
from govhub.core.audit import views as audit_views
from govhub.core.auth import api as auth_api
from govhub.core.auth import views as auth_views
from govhub.core.auth.permissions import AUDIT_READ, ORGS_READ, USERS_READ
from govhub.core.config import Settings, get_settings
from govhub.core.database import Database
from govhub.core.i18n import N_
from govhub.core.orgs import api as orgs_api
from govhub.core.orgs import views as orgs_views
from govhub.exchange import api as exchange_api
from govhub.exchange.gateway import Gateway, GatewayDispatch
from govhub.web.templating import static_files

log = logging.getLogger("govhub")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
# The API docs page loads its own scripts inline; pages of ours need nothing from elsewhere.
PAGE_CSP = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)

NAV = [
    {"href": "/adminunits", "label": N_("Administrative units"), "permission": None},
    {"href": "/admin/organisations", "label": N_("Organisations"), "permission": ORGS_READ},
    {"href": "/admin/users", "label": N_("Users"), "permission": USERS_READ},
    {"href": "/admin/audit", "label": N_("Audit log"), "permission": AUDIT_READ},
    {"href": "/account", "label": N_("My account"), "permission": ORGS_READ},
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope["path"] in ("/docs", "/redoc")

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not is_docs:
                    headers.append((b"content-security-policy", PAGE_CSP))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add_headers)


def session_secret(settings: Settings) -> str:
    """An explicit secret wins; otherwise one is kept beside the database so restarts keep people signed in."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(os.environ.get("GOVHUB_SECRET_FILE", ".govhub-secret"))
    if path.is_file():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    try:
        path.write_text(value)
        path.chmod(0o600)
    except OSError:
        log.warning("could not store the session secret in %s; sessions end at restart", path)
    return value


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(settings.database_url)
    gateway = Gateway(database, settings.instance)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await gateway.close()

    app = FastAPI(
        lifespan=lifespan,
        title="GovHub",
        version=__version__,
        summary="Digital-government platform: data exchange, public services, open data, community teams.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.metrics = health.Metrics()
    app.state.nav = list(NAV)
    app.state.gateway = gateway

    errors.install(app)
    for router in (
        health.router,
        home.router,
        auth_api.router,
        auth_views.router,
        orgs_api.router,
        orgs_views.router,
        audit_api.router,
        audit_views.router,
        adminunits_api.router,
        adminunits_views.router,
        exchange_api.router,
    ):
        app.include_router(router)
    app.mount("/static", static_files(), name="static")

    # Added last runs first: gateway dispatch → size limit → session → metrics → security headers → routes.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(health.MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="govhub_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(errors.BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Outermost: X-Road protocol paths skip the web stack entirely (the gateway has its own limits).
    app.add_middleware(GatewayDispatch, gateway=gateway)
    return app
