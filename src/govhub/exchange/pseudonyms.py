"""Citizen ID and phone numbers in transaction records are kept as keyed hashes, never in clear.

A run of 9–12 digits (CMND 9, phone 10, CCCD 12) in the user id or the path becomes `~` plus 16 hex
characters of HMAC-SHA256 under the installation's secret. The same number always gives the same token, so an
auditor can still answer "who looked up this person" by hashing the number they are asked about.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_NUMBER = re.compile(r"(?<![0-9])[0-9]{9,12}(?![0-9])")


def token(key: bytes, number: str) -> str:
    return "~" + hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:16]


def pseudonymise(key: bytes, text: str | None) -> str | None:
    if not text:
        return text
    return _NUMBER.sub(lambda match: token(key, match.group()), text)
