"""Logging helpers: the package logger and redaction of headers, URLs and JSON bodies."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "get_logger",
    "redact_headers",
    "redact_json_text",
    "redact_url",
]

REDACTED = "***"

# A library never configures logging; this only keeps Python's last-resort handler from printing
# our retry warnings to stderr in an application that set up no logging at all.
logging.getLogger("aiovmss").addHandler(logging.NullHandler())

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-ms-authorization-auxiliary",
        "ocp-apim-subscription-key",
    }
)
"""Lower-cased names of headers whose values are masked in logs and reprs."""
_SECRET_KEYS = frozenset(
    {
        "adminpassword",
        "customdata",
        "password",
        "protectedsettings",
        "userdata",
        "clientsecret",
        "access_token",
        "accesstoken",
        "refresh_token",
        "token",
    }
)
_SECRET_QUERY = frozenset({"sig", "code", "token", "access_token", "client_secret"})
# Fallback for text that is not valid JSON: "key": "value" pairs of a secret key.
_SECRET_PAIR = re.compile(
    r'("(?:' + "|".join(sorted(_SECRET_KEYS)) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"',
    re.IGNORECASE,
)


def get_logger(name: str = "") -> logging.Logger:
    """The ``aiovmss`` logger, or its child ``aiovmss.<name>``."""
    return logging.getLogger(f"aiovmss.{name}" if name else "aiovmss")


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credentials (Authorization, cookies, keys) masked."""
    return {
        key: REDACTED if key.lower() in SECRET_HEADERS else value for key, value in headers.items()
    }


def redact_url(url: str) -> str:
    """``url`` with the values of secret-looking query parameters (``sig``, ``token``) masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key.lower() in _SECRET_QUERY for key, _ in pairs):
        return url
    masked = [(k, REDACTED if k.lower() in _SECRET_QUERY else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="$*")))


def redact_json_text(text: str) -> str:
    """``text`` with the values of secret keys (``adminPassword``, ``customData``, ...) masked.

    Valid JSON is parsed and re-serialised compactly; anything else is scrubbed with a pattern
    that masks ``"key": "value"`` pairs, so a truncated body is still safe to log.
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return _SECRET_PAIR.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    return json.dumps(_redact(data), separators=(",", ":"), ensure_ascii=False)


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if key.lower() in _SECRET_KEYS else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value
