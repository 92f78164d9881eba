"""Looks a person up in the population database through the exchange gateway ("provide information only once").

Any failure (disabled settings, timeout, connection error, 4xx/5xx, a malformed answer) is reported as a
failed lookup: the citizen types the data instead and nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from govhub.core.audit.service import mask

log = logging.getLogger("govhub.services.prefill")

FIELDS = ("national_id", "full_name", "date_of_birth", "gender", "permanent_address")


@dataclass(frozen=True)
class GatewayTarget:
    """A detached copy of the settings, so the call holds no database session open."""

    enabled: bool
    base_url: str
    client_id: str
    service_path: str
    api_key: str
    timeout_seconds: float


@dataclass(frozen=True)
class Lookup:
    found: bool
    reason: str | None = None
    person: dict[str, str | None] | None = None


def target_from(config: Any) -> GatewayTarget:
    return GatewayTarget(
        enabled=bool(config.enabled),
        base_url=str(config.base_url or ""),
        client_id=str(config.client_id or ""),
        service_path=str(config.service_path or "").strip("/"),
        api_key=str(config.api_key or ""),
        timeout_seconds=float(config.timeout_seconds or 3.0),
    )


async def lookup(target: GatewayTarget, *, national_id: str, user_id: str, issue: str | None) -> Lookup:
    if not target.enabled or not target.base_url or not target.client_id:
        return Lookup(False, "disabled")
    if not (national_id.isdigit() and len(national_id) == 12):
        return Lookup(False, "invalid national id")
    url = f"{target.base_url.rstrip('/')}/r1/{target.service_path}/{national_id}"
    headers = {"X-Road-Client": target.client_id, "X-Road-UserId": user_id, "Accept": "application/json"}
    if target.api_key:
        headers["X-API-Key"] = target.api_key
    if issue:
        headers["X-Road-Issue"] = issue
    timeout = aiohttp.ClientTimeout(total=target.timeout_seconds)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, headers=headers, allow_redirects=False) as response,
        ):
            if response.status != 200:
                log.info("population lookup for %s answered %s", mask(national_id), response.status)
                return Lookup(False, f"status {response.status}")
            body = await response.json(content_type=None)
    except TimeoutError:
        log.info("population lookup for %s timed out", mask(national_id))
        return Lookup(False, "timeout")
    except (aiohttp.ClientError, ValueError, OSError) as exc:
        log.info("population lookup for %s failed: %s", mask(national_id), type(exc).__name__)
        return Lookup(False, "unreachable")
    if not isinstance(body, dict) or body.get("national_id") != national_id or not body.get("full_name"):
        return Lookup(False, "unexpected answer")
    person = {name: (str(body[name])[:500] if body.get(name) is not None else None) for name in FIELDS}
    return Lookup(True, None, person)
