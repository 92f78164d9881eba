"""X-Road identifiers and the REST request path, validated strictly so no request can reach another service."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

# PR-REST: identifier values may contain A–Z a–z 0–9 ' ( ) + , - . = ?  — nothing else.
_PART = re.compile(r"^[A-Za-z0-9'()+,\-.=?]{1,64}$")
METASERVICES = frozenset({"listMethods", "allowedMethods", "getOpenAPI"})
MAX_PATH = 2000


class IdentifierError(ValueError):
    """A malformed identifier or path; the gateway answers 400."""


def valid_part(value: str) -> bool:
    return bool(_PART.match(value)) and value not in (".", "..")


@dataclass(frozen=True)
class SubsystemId:
    instance: str
    member_class: str
    member_code: str
    subsystem_code: str

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem_code}"


@dataclass(frozen=True)
class ServiceId:
    subsystem: SubsystemId
    service_code: str

    def __str__(self) -> str:
        return f"{self.subsystem}/{self.service_code}"


def _decode_part(raw: str) -> str:
    value = unquote(raw, errors="strict")
    if not valid_part(value):
        raise IdentifierError(f"'{value[:70]}' is not a valid identifier part")
    return value


def parse_client(header: str | None) -> SubsystemId:
    """X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM (member-level clients are not accepted)."""
    if not header:
        raise IdentifierError("the X-Road-Client header is required")
    parts = header.strip().split("/")
    if len(parts) != 4:
        raise IdentifierError("X-Road-Client must be INSTANCE/CLASS/MEMBER/SUBSYSTEM")
    return SubsystemId(*(_decode_part(p) for p in parts))


@dataclass(frozen=True)
class RestTarget:
    service: ServiceId | None  # None for a subsystem-level metaservice
    subsystem: SubsystemId
    metaservice: str | None
    rest_path: str  # '' or starting with '/', decoded, normalised, no '..'


def parse_raw_path(raw_path: bytes) -> RestTarget:
    """Parses /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path] from the raw (still encoded) request path."""
    if len(raw_path) > MAX_PATH:
        raise IdentifierError(f"the request path is longer than {MAX_PATH} characters")
    try:
        text = raw_path.decode("ascii")
    except UnicodeDecodeError as exc:
        raise IdentifierError("the request path must be ASCII (percent-encode other characters)") from exc
    if not text.startswith("/r1/"):
        raise IdentifierError("the path must start with /r1/")
    segments = text[4:].split("/")
    if len(segments) < 5:
        raise IdentifierError("the path must be /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]")
    subsystem = SubsystemId(*(_decode_part(p) for p in segments[:4]))
    code = _decode_part(segments[4])
    rest = segments[5:]
    if code in METASERVICES:
        if rest:
            raise IdentifierError(f"the metaservice {code} takes no path")
        return RestTarget(service=None, subsystem=subsystem, metaservice=code, rest_path="")
    decoded_rest = []
    for segment in rest:
        lowered = segment.lower()
        if "%2f" in lowered or "%5c" in lowered or "%00" in lowered:
            raise IdentifierError("encoded slashes, backslashes and NUL are not allowed in the path")
        value = unquote(segment)
        if value in (".", "..") or "\\" in value:
            raise IdentifierError("'.' and '..' segments are not allowed in the path")
        decoded_rest.append(segment)  # keep the provider's own encoding of the segment
    rest_path = "/" + "/".join(decoded_rest) if rest else ""
    return RestTarget(
        service=ServiceId(subsystem, code), subsystem=subsystem, metaservice=None, rest_path=rest_path
    )


def path_matches(pattern: str, path: str) -> bool:
    """Endpoint paths: '{param}' matches one segment, '*' one segment, a trailing '/**' any rest."""
    if pattern in ("/**", "**", "*"):
        return True
    p_parts = pattern.strip("/").split("/") if pattern.strip("/") else []
    s_parts = path.strip("/").split("/") if path.strip("/") else []
    for index, part in enumerate(p_parts):
        if part == "**":
            return True
        if index >= len(s_parts):
            return False
        if part == "*" or (part.startswith("{") and part.endswith("}")):
            continue
        if part != s_parts[index]:
            return False
    return len(p_parts) == len(s_parts)
