"""The application factory: the one place that knows every part and mounts its routers and pages."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

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
from govhub.exchange import views as exchange_views
from govhub.exchange.gateway import Gateway
from govhub.exchange.permissions import EXCHANGE_READ
from govhub.services import api as services_api
from govhub.services import views as services_views
from govhub.services.permissions import SERVICES_READ
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
    {"href": "/exchange", "label": N_("Data exchange"), "permission": EXCHANGE_READ},
    {"href": "/services", "label": N_("Public services"), "permission": None},
    {"href": "/officer/dossiers", "label": N_("Dossier queue"), "permission": SERVICES_READ},
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
    """An explicit secret wins; otherwise one is kept in .govhub-secret (working directory) across restarts."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(os.environ.get("GOVHUB_SECRET_FILE", ".govhub-secret"))
    value = secrets.token_urlsafe(48)
    try:
        # O_EXCL: when several workers start together, exactly one writes and the others read its secret.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            stored = path.read_text().strip()
            if stored:
                return stored
            time.sleep(0.02)
        raise RuntimeError(f"{path} exists but is empty; delete it or set GOVHUB_SECRET_KEY") from None
    except OSError:
        log.warning("could not store the session secret in %s; sessions end at restart", path)
        return value
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value)
    return value


class GovHubApp(FastAPI):
    """Sends X-Road protocol paths straight to the gateway, ahead of every framework layer.

    FastAPI puts its own middlewares (server errors, telemetry, body limits) before any added one, so the
    dispatch happens here, in the application's entry point.
    """

    gateway: Gateway

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (scope["path"].startswith("/r1/") or scope["path"] == "/listClients"):
            await self.gateway(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, database: Database | None = None) -> GovHubApp:
    settings = settings or get_settings()
    database = database or Database(settings.database_url)
    secret = session_secret(settings)
    gateway = Gateway(database, settings.instance, pseudonym_key=secret.encode())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await gateway.close()

    app = GovHubApp(
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
    app.gateway = gateway
    app.state.pseudonym_key = secret.encode()

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
        exchange_views.router,
        services_api.router,
        services_views.router,
    ):
        app.include_router(router)
    app.mount("/static", static_files(), name="static")

    # Added last runs first: size limit → session → metrics → security headers → routes.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(health.MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="govhub_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(errors.BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
