"""The X-Road Message Protocol for REST gateway, as a bare ASGI application on the hot path.

It bypasses the web framework: routing is a dictionary lookup in a per-worker snapshot of the registry,
the upstream call uses aiohttp, and every transaction is group-committed before its last byte is sent.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import logging
import ssl
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import aiohttp
import orjson
from yarl import URL

from govhub.core.auth.security import secret_matches
from govhub.core.database import Database
from govhub.exchange import service as registry
from govhub.exchange.config import ExchangeSettings
from govhub.exchange.identifiers import IdentifierError, parse_client, parse_raw_path
from govhub.exchange.pseudonyms import pseudonymise
from govhub.exchange.recorder import Record, Recorder
from govhub.exchange.routing import Route, RoutingCache, Table

log = logging.getLogger("govhub.exchange.gateway")

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
        b"expect",
    }
)
# Set by the gateway; a consumer or a provider cannot inject them.
XROAD_SET = frozenset(
    {
        b"x-road-client",
        b"x-road-id",
        b"x-road-service",
        b"x-road-request-hash",
        b"x-road-error",
        b"x-road-request-id",
    }
)
RESPONSE_DROP = HOP_BY_HOP | XROAD_SET | frozenset({b"server", b"date"})
SMALL_BODY = 256 * 1024


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class GatewayError(Exception):
    """An error that originates in the gateway: answered with X-Road's {type, message, detail}."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.type = error_type
        self.message = message


def bad_request(message: str, code: str = "client.bad_request") -> GatewayError:
    return GatewayError(400, code, message)


def server_error(code: str, message: str) -> GatewayError:
    return GatewayError(500, f"server.serverproxy.{code}", message)


class Transaction:
    """What the record needs, filled in as the request moves through the gateway."""

    __slots__ = (
        "client",
        "consumer_id",
        "fault",
        "issue",
        "message_id",
        "method",
        "path",
        "request_in",
        "request_out",
        "request_size",
        "response_in",
        "response_size",
        "rest_path",
        "route",
        "service_key",
        "status",
        "user_id",
    )

    def __init__(self, method: str, path: str, message_id: str) -> None:
        self.method = method
        self.path = path
        self.message_id = message_id
        self.request_in = now_ms()
        self.request_out: int | None = None
        self.response_in: int | None = None
        self.client: tuple[str, str, str, str] | None = None
        self.consumer_id: int | None = None
        self.route: Route | None = None
        self.service_key: tuple[str, str, str, str, str] | None = None
        self.user_id: str | None = None
        self.issue: str | None = None
        self.request_size = 0
        self.rest_path: str | None = None
        self.response_size = 0
        self.status = 500
        self.fault: GatewayError | None = None

    def record(self, key: bytes) -> Record:
        route = self.route
        return Record(
            message_id=self.message_id,
            consumer_subsystem_id=self.consumer_id,
            service_id=route.service_id if route else None,
            client=self.client,
            service=route.key if route else self.service_key,
            service_type=route.service_type if route else None,
            rest_method=self.method,
            rest_path=self._recorded_path(key),
            user_id=pseudonymise(key, self.user_id),
            issue=self.issue,
            request_in_ts=self.request_in,
            request_out_ts=self.request_out,
            response_in_ts=self.response_in,
            response_out_ts=now_ms(),
            request_size=self.request_size,
            response_size=self.response_size,
            status_code=self.status,
            succeeded=self.fault is None and self.status < 500,
            fault_code=self.fault.type if self.fault else None,
            fault_string=pseudonymise(key, self.fault.message) if self.fault else None,
        )

    def _recorded_path(self, key: bytes) -> str:
        """Identifiers stay readable (an enterprise's member code may be a 10-digit tax code); only the
        provider-side path and unparsed paths are pseudonymised."""
        if self.rest_path is not None and self.service_key is not None:
            return "/r1/" + "/".join(self.service_key) + (pseudonymise(key, self.rest_path) or "")
        return pseudonymise(key, self.path) or ""


class Gateway:
    """One instance per application; its client session, routing cache and recorder are per event loop."""

    def __init__(
        self,
        database: Database,
        instance: str,
        settings: ExchangeSettings | None = None,
        pseudonym_key: bytes = b"",
    ) -> None:
        self.database = database
        self.pseudonym_key = pseudonym_key
        self.instance = instance
        self.settings = settings or ExchangeSettings()
        self.routing = RoutingCache(database, instance, self.settings.registry_refresh_seconds)
        self._session: aiohttp.ClientSession | None = None
        self._recorder: Recorder | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._insecure = ssl.create_default_context()
        self._insecure.check_hostname = False
        self._insecure.verify_mode = ssl.CERT_NONE

    # --- per-loop resources ----------------------------------------------------------------------

    def _resources(self) -> tuple[aiohttp.ClientSession, Recorder]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._session is None or self._recorder is None:
            self._loop = loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.settings.connection_limit, keepalive_timeout=60),
                # One session serves every consumer: a provider's cookie must never travel to another consumer.
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            )
            self._recorder = Recorder(self.database.engine, self.settings.commit_interval_ms / 1000)
        return self._session, self._recorder

    async def close(self) -> None:
        """Closes what this event loop opened; another loop's session is not ours to close."""
        if self._loop is not asyncio.get_running_loop():
            return
        if self._session is not None:
            await self._session.close()
        if self._recorder is not None:
            self._recorder.close()
        self._session = self._recorder = self._loop = None

    # --- ASGI entry -------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers[name.lower()] = value  # the last one wins, as PR-REST says for X-Road-Client
        message_id = headers.get(b"x-road-id", b"").decode("latin-1")[:100] or str(uuid.uuid4())
        tx = Transaction(scope["method"], scope["path"][:1000], message_id)
        session, recorder = self._resources()
        try:
            await self._handle(scope, receive, send, headers, tx, session, recorder)
        except GatewayError as error:
            tx.fault = error
            tx.status = error.status
            await self._send_error(send, tx, recorder, error)
        except Exception as exc:  # our own bug: still answer in the protocol and keep the record
            log.exception("gateway failure for %s", tx.message_id)
            error = GatewayError(
                500, "server.clientproxy.internal_error", f"internal error: {type(exc).__name__}"
            )
            tx.fault = error
            tx.status = 500
            await self._send_error(send, tx, recorder, error)

    async def _handle(
        self,
        scope: dict[str, Any],
        receive: Any,
        send: Any,
        headers: dict[bytes, bytes],
        tx: Transaction,
        session: aiohttp.ClientSession,
        recorder: Recorder,
    ) -> None:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        raw_path = raw_path.split(b"?", 1)[0]
        table = self.routing.get()
        if raw_path == b"/listClients":
            self._authenticate(scope, headers, table, tx, require_client=False)
            body = self._list_clients(table, scope.get("query_string", b""))
            await self._respond_json(send, tx, recorder, 200, body)
            return
        try:
            target = parse_raw_path(raw_path)
        except IdentifierError as exc:
            raise bad_request(f"malformed request: {exc}") from exc
        tx.service_key = (
            (*_key(target.subsystem), target.service.service_code)
            if target.service
            else (*_key(target.subsystem), target.metaservice or "")
        )
        tx.rest_path = target.rest_path
        tx.user_id = _header(headers, b"x-road-userid", 100)
        tx.issue = _header(headers, b"x-road-issue", 200)
        self._authenticate(scope, headers, table, tx, require_client=True)
        assert tx.consumer_id is not None
        if target.subsystem.instance != self.instance:
            raise server_error("unknown_service", f"this gateway serves the instance {self.instance} only")
        if target.metaservice:
            status, body, content_type = self._metaservice(table, tx.consumer_id, target, scope)
            await self._respond_json(send, tx, recorder, status, body, content_type)
            return
        route = table.routes.get(tx.service_key)  # type: ignore[arg-type]
        if route is None:
            raise server_error("unknown_service", f"no service {'/'.join(tx.service_key)} is registered")
        tx.route = route
        if not route.enabled:
            raise server_error("service_disabled", f"the service {route.identifier} is disabled")
        if not table.allowed(tx.consumer_id, route, tx.method, target.rest_path):
            raise server_error(
                "access_denied",
                f"{'/'.join(tx.client or ())} may not call {tx.method} {target.rest_path or '/'} on {route.identifier}",
            )
        await self._proxy(scope, receive, send, headers, tx, route, target.rest_path, session, recorder)

    # --- authentication -----------------------------------------------------------------------------

    def _authenticate(
        self,
        scope: dict[str, Any],
        headers: dict[bytes, bytes],
        table: Table,
        tx: Transaction,
        require_client: bool,
    ) -> None:
        """An API key bound to a subsystem, or a client certificate vouched for by a trusted TLS terminator."""
        consumer = None
        token = headers.get(b"x-api-key")
        authorization = headers.get(b"authorization", b"")
        if token is None and authorization[:11].lower() == b"bearer ghx_":
            token = authorization[7:]
        if token is not None:
            cache_key = (token, headers.get(b"x-road-client"))
            cached = table.verified.get(cache_key)
            if cached is not None and (cached[1] is None or cached[1] > now_ms()):
                consumer = cached[0]
            else:
                consumer, expires = self._check_key(token, table)
                if len(table.verified) > 50_000:
                    table.verified.clear()
                table.verified[cache_key] = (consumer, expires)
        elif self.settings.client_cert_header:
            client_ip = (scope.get("client") or ("", 0))[0]
            presented = headers.get(self.settings.client_cert_header.lower().encode())
            if presented and client_ip in self.settings.trusted_proxies:
                consumer = table.certificates.get(cert_fingerprint(presented))
        if consumer is None:
            raise bad_request(
                "authenticate with the subsystem's gateway key (X-API-Key) or a registered client certificate",
                "client.authentication_failed",
            )
        tx.consumer_id = consumer
        identity = table.subsystem_keys.get(consumer)
        tx.client = identity
        if not require_client:
            return
        try:
            claimed = parse_client(_header(headers, b"x-road-client", 300))
        except IdentifierError as exc:
            raise bad_request(f"invalid X-Road-Client: {exc}", "client.invalid_client_identifier") from exc
        if _key(claimed) != identity:
            tx.client = _key(claimed)
            raise bad_request(
                f"X-Road-Client {claimed} does not match the authenticated subsystem {'/'.join(identity or ())}",
                "client.identity_mismatch",
            )

    @staticmethod
    def _check_key(token: bytes, table: Table) -> tuple[int, int | None]:
        parts = registry.split_key(token.decode("latin-1").strip())
        credential = table.credentials.get(parts[0]) if parts else None
        if (
            parts is None
            or credential is None
            or not secret_matches(parts[1], credential.secret_hash)
            or (credential.expires_at_ms is not None and credential.expires_at_ms <= now_ms())
        ):
            raise bad_request(
                "the gateway key is unknown, expired or revoked", "client.authentication_failed"
            )
        return credential.subsystem_id, credential.expires_at_ms

    # --- proxying -------------------------------------------------------------------------------------

    async def _proxy(
        self,
        scope: dict[str, Any],
        receive: Any,
        send: Any,
        headers: dict[bytes, bytes],
        tx: Transaction,
        route: Route,
        rest_path: str,
        session: aiohttp.ClientSession,
        recorder: Recorder,
    ) -> None:
        limit = self.settings.max_request_bytes
        declared = headers.get(b"content-length")
        body: bytes | AsyncIterator[bytes]
        body_hash = hashlib.sha512()
        if declared is not None:
            try:
                size = int(declared)
            except ValueError as exc:
                raise bad_request("Content-Length is not a number") from exc
            if size > limit:
                raise bad_request(f"the request body exceeds {limit} bytes", "client.request_too_large")
        if declared is not None and int(declared) <= SMALL_BODY:
            body = await _read_all(receive, limit)
            tx.request_size = len(body)
            body_hash.update(body)
        else:
            body = self._stream_request(receive, tx, limit, body_hash)

        query = scope.get("query_string", b"")
        url = URL(route.base_url + rest_path + ("?" + query.decode("latin-1") if query else ""), encoded=True)
        out_headers = self._upstream_headers(headers, tx, route)
        ssl_context: Any = None if route.verify_tls else self._insecure
        tx.request_out = now_ms()
        try:
            async with session.request(
                tx.method,
                url,
                data=body if tx.method not in ("GET", "HEAD") or tx.request_size else None,
                headers=out_headers,
                allow_redirects=False,
                timeout=_timeout(route.timeout),
                ssl=ssl_context,
            ) as response:
                tx.response_in = now_ms()
                tx.status = response.status
                await self._relay(send, response, tx, recorder, route, body_hash, out_headers)
        except GatewayError:
            raise
        except Exception as exc:
            if tx.fault is not None:
                raise tx.fault from exc
            raise self._upstream_error(exc, route) from exc

    @staticmethod
    def _upstream_error(exc: Exception, route: Route) -> GatewayError:
        if isinstance(exc, TimeoutError):
            return server_error("timeout", f"the provider did not answer within {route.timeout:g} s")
        if isinstance(exc, aiohttp.ClientPayloadError):
            return server_error("network_error", f"the provider's response was cut: {exc}")
        if isinstance(exc, aiohttp.ClientError | OSError):
            return server_error("network_error", f"cannot reach the provider: {type(exc).__name__}")
        raise exc

    async def _stream_request(
        self, receive: Any, tx: Transaction, limit: int, body_hash: Any
    ) -> AsyncIterator[bytes]:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            tx.request_size += len(chunk)
            if tx.request_size > limit:
                # Raised inside aiohttp's upload, it would surface as a connection error; keep the real cause.
                tx.fault = bad_request(f"the request body exceeds {limit} bytes", "client.request_too_large")
                raise tx.fault
            body_hash.update(chunk)
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    def _upstream_headers(self, headers: dict[bytes, bytes], tx: Transaction, route: Route) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers.items():
            if name in HOP_BY_HOP or name in XROAD_SET or name == b"x-api-key":
                continue
            if name == b"authorization" and value[:11].lower() == b"bearer ghx_":
                continue  # the gateway credential never reaches the provider
            out[name.decode("latin-1")] = value.decode("latin-1")
        out["X-Road-Client"] = "/".join(tx.client or ())
        out["X-Road-Service"] = route.identifier
        out["X-Road-Id"] = tx.message_id
        return out

    async def _relay(
        self,
        send: Any,
        response: aiohttp.ClientResponse,
        tx: Transaction,
        recorder: Recorder,
        route: Route,
        body_hash: Any,
        out_headers: dict[str, str],
    ) -> None:
        limit = self.settings.max_response_bytes
        declared = response.content_length
        if declared is not None and declared > limit:
            raise server_error("response_too_large", f"the provider's response exceeds {limit} bytes")
        headers = [(k, v) for k, v in response.raw_headers if k.lower() not in RESPONSE_DROP]
        if declared is not None:
            headers.append((b"content-length", str(declared).encode()))
        headers.extend(self._xroad_headers(tx, route, body_hash, out_headers))
        if declared is not None and declared <= SMALL_BODY:
            content = await response.read()
            tx.response_size = len(content)
            await recorder.record(tx.record(self.pseudonym_key))
            await send({"type": "http.response.start", "status": response.status, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return
        # Streaming: everything but the last chunk goes out at once; the last waits for the record.
        held: bytes | None = None
        started = False
        async for chunk in response.content.iter_chunked(65536):
            tx.response_size += len(chunk)
            if tx.response_size > limit:
                if not started:
                    raise server_error("response_too_large", f"the provider's response exceeds {limit} bytes")
                tx.fault = server_error("response_too_large", "response cut at the size limit")
                await recorder.record(tx.record(self.pseudonym_key))
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if held is not None:
                if not started:
                    await send({"type": "http.response.start", "status": response.status, "headers": headers})
                    started = True
                await send({"type": "http.response.body", "body": held, "more_body": True})
            held = chunk
        await recorder.record(tx.record(self.pseudonym_key))
        if not started:
            await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": held or b"", "more_body": False})

    def _xroad_headers(
        self, tx: Transaction, route: Route | None, body_hash: Any, out_headers: dict[str, str] | None
    ) -> list[tuple[bytes, bytes]]:
        headers = [(b"x-road-id", tx.message_id.encode("latin-1", "replace"))]
        if tx.client:
            headers.append((b"x-road-client", "/".join(tx.client).encode()))
        if route is not None:
            headers.append((b"x-road-service", route.identifier.encode()))
        elif tx.service_key:
            headers.append((b"x-road-service", "/".join(tx.service_key).encode()))
        if out_headers is not None:
            # PR-REST: base64(SHA-512(SHA-512(headers) + SHA-512(body))) over the request as sent upstream.
            head = hashlib.sha512(
                "\n".join(f"{k.lower()}:{v}" for k, v in sorted(out_headers.items())).encode(
                    "utf-8", "replace"
                )
            ).digest()
            digest = hashlib.sha512(head + body_hash.digest()).digest()
            headers.append((b"x-road-request-hash", base64.b64encode(digest)))
        return headers

    # --- gateway-made responses -------------------------------------------------------------------------

    async def _respond_json(
        self,
        send: Any,
        tx: Transaction,
        recorder: Recorder,
        status: int,
        body: bytes,
        content_type: bytes = b"application/json",
    ) -> None:
        tx.status = status
        tx.response_size = len(body)
        await recorder.record(tx.record(self.pseudonym_key))
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        headers.extend(self._xroad_headers(tx, None, None, None))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _send_error(self, send: Any, tx: Transaction, recorder: Recorder, error: GatewayError) -> None:
        body = orjson.dumps({"type": error.type, "message": error.message, "detail": tx.message_id})
        tx.response_size = len(body)
        try:
            await recorder.record(tx.record(self.pseudonym_key))
        except Exception:
            log.exception("could not record failed transaction %s", tx.message_id)
            error = GatewayError(
                500, "server.clientproxy.logging_failed", "the transaction could not be recorded"
            )
            body = orjson.dumps({"type": error.type, "message": error.message, "detail": tx.message_id})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-road-error", error.type.encode()),
        ]
        headers.extend(self._xroad_headers(tx, tx.route, None, None))
        try:
            await send({"type": "http.response.start", "status": error.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        except Exception:  # the response had started; the client sees a cut connection
            log.warning("could not send the error for %s: response already started", tx.message_id)

    # --- metaservices ------------------------------------------------------------------------------------

    def _list_clients(self, table: Table, query: bytes) -> bytes:
        wanted = None
        for part in query.split(b"&"):
            if part.startswith(b"xRoadInstance="):
                wanted = part.split(b"=", 1)[1].decode("latin-1")
        members: list[dict[str, Any]] = []
        if wanted in (None, self.instance):
            for (cls, code), name in sorted(table.member_names.items()):
                members.append(
                    {
                        "id": {
                            "object_type": "MEMBER",
                            "xroad_instance": self.instance,
                            "member_class": cls,
                            "member_code": code,
                        },
                        "name": name,
                    }
                )
            for subsystem_id, key in sorted(table.subsystem_keys.items(), key=lambda item: item[1]):
                members.append(
                    {
                        "id": {
                            "object_type": "SUBSYSTEM",
                            "xroad_instance": key[0],
                            "member_class": key[1],
                            "member_code": key[2],
                            "subsystem_code": key[3],
                        },
                        "name": table.subsystem_names.get(subsystem_id, ""),
                    }
                )
        return orjson.dumps({"member": members})

    def _metaservice(
        self, table: Table, consumer_id: int, target: Any, scope: dict[str, Any]
    ) -> tuple[int, bytes, bytes]:
        subsystem_id = table.subsystems.get(_key(target.subsystem))
        if subsystem_id is None:
            raise server_error("unknown_service", f"no subsystem {target.subsystem} is registered")
        routes = sorted(table.services_of.get(subsystem_id, []), key=lambda r: r.key)
        if target.metaservice == "getOpenAPI":
            code = None
            for part in scope.get("query_string", b"").split(b"&"):
                if part.startswith(b"serviceCode="):
                    code = part.split(b"=", 1)[1].decode("latin-1")
            route = next((r for r in routes if r.key[4] == code), None)
            if route is None or route.service_type != "OPENAPI3" or not route.description_doc:
                raise server_error("unknown_service", f"no OpenAPI description for service code {code!r}")
            doc = route.description_doc
            kind = b"application/json" if doc.lstrip().startswith("{") else b"application/yaml"
            return 200, doc.encode(), kind
        if target.metaservice == "allowedMethods":
            routes = [r for r in routes if r.enabled and table.may_call_any(consumer_id, r)]
        services = [
            {
                "object_type": "SERVICE",
                "xroad_instance": r.key[0],
                "member_class": r.key[1],
                "member_code": r.key[2],
                "subsystem_code": r.key[3],
                "service_code": r.key[4],
                "service_type": "OPENAPI" if r.service_type == "OPENAPI3" else r.service_type,
            }
            for r in routes
        ]
        return 200, orjson.dumps({"service": services}), b"application/json"


@functools.lru_cache(maxsize=64)
def _timeout(seconds: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds)


def cert_fingerprint(presented: bytes) -> str:
    """SHA-256 of the certificate: given as hex, or as the PEM nginx passes in $ssl_client_escaped_cert."""
    text = unquote(presented.decode("latin-1"))
    if "BEGIN CERTIFICATE" in text:
        try:
            return hashlib.sha256(ssl.PEM_cert_to_DER_cert(text.strip())).hexdigest()
        except ValueError:
            return ""
    return text.replace(":", "").strip().lower()


def _key(identifier: Any) -> tuple[str, str, str, str]:
    return (identifier.instance, identifier.member_class, identifier.member_code, identifier.subsystem_code)


def _header(headers: dict[bytes, bytes], name: bytes, limit: int) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    return value.decode("utf-8", "replace")[:limit]


async def _read_all(receive: Any, limit: int) -> bytes:
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise bad_request(f"the request body exceeds {limit} bytes", "client.request_too_large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
