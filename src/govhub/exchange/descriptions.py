"""Reads the service descriptions a provider registers: endpoints from OpenAPI 3, operations from WSDL."""

from __future__ import annotations

import json
from typing import Any

import yaml
from defusedxml import ElementTree

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


class DescriptionError(ValueError):
    """The document cannot be used; the message says why, for the person registering it."""


def load_openapi(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DescriptionError(f"the OpenAPI description is neither valid JSON nor YAML: {exc}") from exc
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise DescriptionError("the document is not an OpenAPI 3 description (no 'openapi: 3.x' field)")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        raise DescriptionError("the OpenAPI description has no paths")
    return doc


def openapi_endpoints(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(METHOD, path) pairs; the gateway matches '{param}' segments against one path segment."""
    endpoints = []
    for path, item in doc["paths"].items():
        if not isinstance(path, str) or not path.startswith("/") or not isinstance(item, dict):
            raise DescriptionError(f"bad path entry {path!r} in the OpenAPI description")
        for method in HTTP_METHODS:
            if method in item:
                endpoints.append((method.upper(), path[:500]))
    if not endpoints:
        raise DescriptionError("the OpenAPI description declares no operations")
    return endpoints


def wsdl_operations(text: str) -> list[str]:
    """Operation names of a WSDL 1.1 document, parsed with entity expansion disabled."""
    try:
        root = ElementTree.fromstring(text)
    except Exception as exc:  # defusedxml raises several kinds for bombs and syntax
        raise DescriptionError(f"the WSDL cannot be parsed: {type(exc).__name__}") from exc
    operations = sorted({op.get("name", "") for op in root.iter(f"{{{WSDL_NS}}}operation") if op.get("name")})
    if not operations:
        raise DescriptionError("the WSDL declares no operations")
    return operations
