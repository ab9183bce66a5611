"""Helpers for the wire tests: a raw-JSON client for ``fake.handle`` and request bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fakevmss import FakeCompute
from fakevmss._http import WireRequest

BASE = "https://management.azure.com"
SUB = "00000000-0000-0000-0000-000000000001"
RG = "rg"
S = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachineScaleSets"
AUTH = {"Authorization": "Bearer test-token"}


def scale_set_body(
    capacity: int = 2,
    *,
    mode: str = "Uniform",
    os_type: str = "Linux",
    create_policy: bool = True,
    delete_policy: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A minimal valid scale set PUT body."""
    body: dict[str, Any] = {
        "location": "westus",
        "tags": {"team": "platform"},
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": capacity},
        "properties": {
            "orchestrationMode": mode,
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "osProfile": {"computerNamePrefix": "web", "adminUsername": "azure"},
                "storageProfile": {"osDisk": {"osType": os_type, "createOption": "FromImage"}},
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": create_policy},
                "resilientVMDeletionPolicy": {"enabled": delete_policy},
            },
        },
    }
    body.update(extra)
    return body


@dataclass
class Reply:
    """A decoded response."""

    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    @property
    def code(self) -> str | None:
        body = self.json
        return body["error"]["code"] if isinstance(body, dict) and "error" in body else None

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class Wire:
    """Sends raw requests to ``fake.handle`` (bearer token and api-version added by default)."""

    def __init__(self, fake: FakeCompute) -> None:
        self.fake = fake

    async def send(
        self,
        method: str,
        path_or_url: str,
        body: Any = None,
        *,
        api: str | None = "2024-07-01",
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        **params: str,
    ) -> Reply:
        url = path_or_url if path_or_url.startswith("http") else BASE + path_or_url
        pairs = {**(query or {}), **params}
        parts = ([f"api-version={api}"] if api is not None else []) + [
            f"{key}={value}" for key, value in pairs.items()
        ]
        if parts:
            url += ("&" if "?" in url else "?") + "&".join(parts)
        raw = (
            body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        )
        all_headers = {**AUTH, **(headers or {})}
        answer = await self.fake.handle(WireRequest(method, url, all_headers, raw))
        return Reply(answer.status, answer.headers, answer.body)

    async def follow(self, url: str) -> Reply:
        """GET an absolute URL the fake emitted, as a client would."""
        parts = urlsplit(url)
        assert parts.scheme and parts.netloc, url
        return await self.send("GET", url, api=None)

    async def put(self, name: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.send(
            "PUT", f"{S}/{name}", scale_set_body() if body is None else body, **kwargs
        )
