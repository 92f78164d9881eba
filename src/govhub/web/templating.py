"""One Jinja environment for every part's pages, with per-request language and Vietnamese formats."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from govhub.core import i18n

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
LANG_COOKIE = "govhub_lang"

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


def add_template_dir(path: Path) -> None:
    """Parts keep their templates beside their code and register the folder here."""
    loader = _env.loader
    assert isinstance(loader, FileSystemLoader)
    if str(path) not in loader.searchpath:
        loader.searchpath.append(str(path))


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(STATIC_DIR))


def request_locale(request: Request) -> str:
    """?lang= beats the cookie, which beats the installation's default."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LOCALES:
        return chosen
    return i18n.normalise(getattr(request.app.state.settings, "default_locale", i18n.DEFAULT_LOCALE))


def _csrf(request: Request) -> str:
    if "session" not in request.scope:
        return ""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(24)
    return request.session["csrf"]


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    locale = request_locale(request)
    translations = i18n.translations(locale)
    session = request.scope.get("session") or {}
    values: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "other_locale": "en" if locale == "vi" else "vi",
        "_": translations.gettext,
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "num": lambda v, digits=0: i18n.number(v, locale, digits),
        "pct": lambda v, digits=1: i18n.percent(v, locale, digits),
        "fdate": lambda v: i18n.date(v, locale),
        "fdatetime": lambda v: i18n.datetime(v, locale),
        "settings": request.app.state.settings,
        "nav": getattr(request.app.state, "nav", []),
        "current_user": getattr(request.state, "actor", None),
        "csrf_token": _csrf(request),
        "flash": session.pop("flash", None) if session else None,
    }
    values.update(context or {})
    html = _env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)
