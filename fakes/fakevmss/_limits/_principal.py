"""Who sent a request, for ARM's per-principal buckets; never the token itself.

In order: the ``oid`` (else ``sub``) claim of a bearer token that is a JWT, as ARM keys its
limits by the calling object; else the ``x-ms-fake-principal`` request header (a test's way to
play several principals with opaque tokens); else a hash of the token. The token is never kept
in a name, a log line or an answer: only its SHA-256 prefix can appear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re

__all__ = ["PRINCIPAL_HEADER", "PrincipalNames", "jwt_principal"]

#: The request header naming the principal when the token is not a JWT.
PRINCIPAL_HEADER = "x-ms-fake-principal"

_MAX_TOKEN = 16 * 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}")
_CACHE_SIZE = 1024


def _claim(value: object) -> str | None:
    return value if isinstance(value, str) and _NAME.fullmatch(value) else None


def jwt_principal(token: str) -> str | None:
    """The ``oid`` (else ``sub``) claim of ``token`` if it is a JWT, else None; never raises.

    The signature is not checked: the fake trusts its callers, it only tells them apart.
    """
    parts = token.split(".")
    if len(token) > _MAX_TOKEN or len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        return None
    if not isinstance(claims, dict):
        return None
    return _claim(claims.get("oid")) or _claim(claims.get("sub"))


def token_principal(token: str) -> str:
    """The name of an opaque token's principal: ``token-`` and a SHA-256 prefix."""
    digest = hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()
    return f"token-{digest[:16]}"


class PrincipalNames:
    """Principal names by token, remembered (a token's JWT claim is decoded once)."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def of(self, token: str, header: str | None) -> str:
        """The principal of bearer ``token`` (``header``: its ``x-ms-fake-principal``)."""
        known = self._known
        if token in known:
            claim = known[token]
        else:
            if len(known) >= _CACHE_SIZE:
                known.clear()
            claim = known[token] = jwt_principal(token)
        if claim is not None:
            return claim
        if header is not None and _NAME.fullmatch(header.strip()):
            return header.strip()
        return token_principal(token)

    def __repr__(self) -> str:  # never the tokens
        return f"<PrincipalNames {len(self._known)} tokens>"
