"""URLs the fake emits and list paging.

Every URL is absolute on the incoming request's scheme and host and carries the request's
api-version. Paging is keyset paging: ``$skiptoken`` encodes the sort key of the last item
served, so items created or deleted between pages never shift the rest of the listing.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, urlencode, urlsplit

from fakevmss._errors import invalid_parameter

__all__ = [
    "Origin",
    "decode_skiptoken",
    "encode_skiptoken",
    "page_after",
]

T = TypeVar("T")
SortKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Origin:
    """Scheme, host and api-version of the request, for building absolute URLs."""

    scheme: str
    netloc: str
    api_version: str

    @classmethod
    def of(cls, url: str, api_version: str) -> Origin:
        """The origin of an absolute ``url`` (``https://management.azure.com`` if relative)."""
        parts = urlsplit(url)
        return cls(parts.scheme or "https", parts.netloc or "management.azure.com", api_version)

    def url(self, path: str, **query: str) -> str:
        """An absolute URL for ``path`` with the api-version first, then ``query``."""
        params = {"api-version": self.api_version, **query}
        encoded = urlencode(params, safe="$")
        return f"{self.scheme}://{self.netloc}{quote(path, safe='/%')}?{encoded}"

    def operation_url(self, sub: str, location: str, operation_id: str, *, monitor: bool) -> str:
        """The Azure-AsyncOperation URL, or the Location URL when ``monitor``."""
        path = (
            f"/subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}"
            f"/operations/{operation_id}"
        )
        return self.url(path, monitor="true") if monitor else self.url(path)

    def next_link(self, path: str, query: dict[str, str], token: str) -> str:
        """``path`` with the request's other query parameters and ``$skiptoken``."""
        kept = {k: v for k, v in query.items() if k.lower() not in ("api-version", "$skiptoken")}
        return self.url(path, **kept, **{"$skiptoken": token})


def encode_skiptoken(key: SortKey) -> str:
    """An opaque token for the sort key of the last item served."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str, width: int) -> SortKey:
    """The sort key in ``token``.

    Raises:
        ArmException: 400 ``InvalidParameter`` (target ``$skiptoken``) for a token this fake
            did not issue.
    """
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError):
        value = None
    if (
        not isinstance(value, list)
        or len(value) != width
        or not all(isinstance(part, str) for part in value)
    ):
        raise invalid_parameter("$skiptoken", "The $skiptoken is not valid.")
    return tuple(value)


def page_after(
    items: Sequence[T],
    key: Callable[[T], SortKey],
    after: SortKey | None,
    size: int,
    *,
    presorted: bool = False,
) -> tuple[list[T], SortKey | None]:
    """One page of ``items`` in key order after ``after``, and the key to continue from.

    Each key is computed once; items already in key order (the backend lists them so) are not
    sorted again, and the page starts by bisection. ``presorted`` says the caller knows the
    items are in key order: then only the keys the bisection reads are computed (a page of a
    1,000-VM listing computed 1,000 keys, ``benchmarks/fleet_bench.py``).
    """
    if presorted:
        start = 0 if after is None else bisect_right(items, after, key=key)
        end = start + max(1, size)
        return list(items[start:end]), (key(items[end - 1]) if len(items) > end else None)
    keys = [key(item) for item in items]
    if any(keys[i] > keys[i + 1] for i in range(len(keys) - 1)):
        order = sorted(range(len(keys)), key=keys.__getitem__)
        keys = [keys[i] for i in order]
        items = [items[i] for i in order]
    start = 0 if after is None else bisect_right(keys, after)
    end = start + max(1, size)
    page = list(items[start:end])
    return page, (keys[end - 1] if len(keys) > end else None)
