"""Hostile request generators for fuzzing the fake's HTTP surface, from a seeded ``random``."""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import quote

from fakevmss._http import WireRequest

BASE = "https://management.azure.com"
SUB = "00000000-0000-0000-0000-00000000f022"
CANARY = "CANARY-7f3e-do-not-leak"
S = "/subscriptions/{s}/resourceGroups/{a}/providers/Microsoft.Compute/virtualMachineScaleSets"
TEMPLATES = (
    S,
    S + "/{b}",
    S + "/{b}/delete",
    S + "/{b}/virtualMachines",
    S + "/{b}/virtualMachines/{c}",
    "/subscriptions/{s}/providers/Microsoft.Compute/virtualMachineScaleSets",
    "/subscriptions/{s}/providers/Microsoft.Compute/locations/{a}/operations/{b}",
    "/subscriptions/{s}/providers/Microsoft.Features/providers/{a}/features/{b}",
    "/subscriptions/{s}/providers/Microsoft.Features/providers/{a}/features/{b}/register",
    "/{a}/{b}/{c}",
    "/",
)
SEGMENTS = (
    "rg", "web", "web", "0", "1", "", ".", "..", "%2e%2e", "%2F", "a%2F..%2Fb", "%00", "%ff%fe",
    "x y", "ü", "名前", "\u202e", "a\tb", "a\x00b", "\ud800", "%", "%zz", "a" * 81, "b" * 5000,
    "westus", "ResilientVMScaleSetVMCreation", "Microsoft.Compute", "virtualMachines",
)  # fmt: skip
METHODS = ("GET", "GET", "PUT", "PUT", "PATCH", "POST", "DELETE", "HEAD", "OPTIONS", "get",
           "TRACE", "FOO", "")  # fmt: skip
VERSIONS = ("2024-07-01", "2024-07-01", "2023-07-01", "2021-07-01", "2099-01-01", "bad", "",
            "2024-07-01-preview", "\uff12\uff10\uff12\uff14-07-01", None)  # fmt: skip
AUTHS = ("Bearer t", "Bearer t", "Bearer t", "", "Bearer", "Bearer    ", "Basic dXNlcjpw",
         "bearer x", "Bearer \u00e9\u00e9", None)  # fmt: skip
CONTENT_TYPES = ("application/json", "text/plain", "application/xml", "", "multipart/form-data",
                 "application/json; charset=latin-1", None)  # fmt: skip
QUERY_KEYS = ("$expand", "forceDeletion", "$filter", "$select", "$skiptoken", "monitor",
              "API-VERSION", "api-version")  # fmt: skip
QUERY_VALUES = ("resiliencyView", "ResiliencyView", "instanceView,userData", "true", "false",
                "TRUE", "maybe", "", "%00", "%ff", "x" * 3000, CANARY)  # fmt: skip
FIELDS = ("location", "tags", "zones", "sku", "properties", "instanceIds", "etag", "name", "id")


def scale_set_body(capacity: int = 2) -> dict[str, Any]:
    """A valid scale set body carrying secrets (which must never leak)."""
    return {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "capacity": capacity},
        "properties": {
            "orchestrationMode": "Uniform",
            "virtualMachineProfile": {
                "osProfile": {"adminUsername": "u", "adminPassword": CANARY, "customData": CANARY},
                "storageProfile": {"osDisk": {"osType": "Linux", "createOption": "FromImage"}},
            },
            "resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": True}},
        },
    }


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value (objects, arrays, odd numbers, odd strings)."""
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice(
            [None, True, False, 0, -1, 2**63, -(2**70), 1.5, 1e308, -0.0, "", "x", "\u0000",
             "\ud83d", CANARY, "Failed", "InProgress", "Uniform", "Flexible", "Linux", [], {}]
        )  # fmt: skip
    if roll < 0.7:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = [*FIELDS, "capacity", "enabled", "osType", "orchestrationMode", "adminPassword", "ü"]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", errors="surrogatepass")


def random_body(rng: random.Random) -> bytes:
    """A body: a mutated valid one, random JSON, or bytes no JSON parser should accept."""
    roll = rng.random()
    if roll < 0.35:
        body = scale_set_body(rng.randint(0, 3))
        body[rng.choice(FIELDS)] = random_json(rng)
        return _dumps(body)
    if roll < 0.55:
        return _dumps(random_json(rng))
    if roll < 0.60:
        deep = rng.choice((70, 500, 50_000))
        return b'{"tags":' + b"[" * deep + b"]" * deep + b"}"
    if roll < 0.65:
        return rng.choice((b'{"sku": {"capacity": NaN}}', b'{"sku": {"capacity": Infinity}}',
                           b'{"sku": {"capacity": -Infinity}}', b'{"a": 1e999}'))  # fmt: skip
    if roll < 0.70:
        return rng.choice((b'{"location": "\xff\xfe"}', b"\xef\xbb\xbf{}", b'{"a": "\\ud800"}',
                           b"\x00" * 10, b'{"location": "west\x00us"}'))  # fmt: skip
    if roll < 0.75:
        return b'{"instanceIds": [' + b'"0",' * rng.randint(1, 2000) + b'"1"]}'
    if roll < 0.85:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
    return b""


def random_request(rng: random.Random) -> WireRequest:
    """One hostile request: path, method, query, headers and body all drawn from ``rng``."""
    template = rng.choice(TEMPLATES)
    fill = {k: rng.choice(SEGMENTS) for k in "abc"}
    path = template.format(s=rng.choice((SUB, SUB, SUB, "x", "..")), **fill)
    if rng.random() < 0.1:
        path = path.replace("/", rng.choice(("//", "/./", "/%2F")), 1)
    query = []
    version = rng.choice(VERSIONS)
    if version is not None:
        query.append(f"api-version={quote(version, safe='')}")
    for _ in range(rng.randint(0, 3)):
        key = rng.choice(QUERY_KEYS)
        query.append(f"{key}={quote(rng.choice(QUERY_VALUES), safe='%')}")
    headers: dict[str, str] = {}
    auth = rng.choice(AUTHS)
    if auth is not None:
        headers["Authorization" if rng.random() < 0.8 else "authorization"] = auth
    ctype = rng.choice(CONTENT_TYPES)
    if ctype is not None:
        headers["Content-Type"] = ctype
    if rng.random() < 0.2:
        headers["x-ms-client-request-id"] = rng.choice(("", "\u00e9", "x" * 1000, CANARY))
    url = f"{BASE}{path}?{'&'.join(query)}" if query else f"{BASE}{path}"
    return WireRequest(rng.choice(METHODS), url, headers, random_body(rng))


def arm_error_problems(status: int, headers: dict[str, str], body: bytes) -> list[str]:
    """Why a response breaks the fake's contract (no 5xx; ARM-shaped 4xx; request id)."""
    problems = []
    if status >= 500:
        problems.append(f"status {status}")
    if not any(k.lower() == "x-ms-request-id" for k in headers):
        problems.append("no x-ms-request-id")
    if status >= 400:
        try:
            error = json.loads(body)["error"]
            if not (isinstance(error["code"], str) and error["code"]):
                problems.append("error.code not a non-empty string")
            if not isinstance(error["message"], str):
                problems.append("error.message not a string")
        except (ValueError, KeyError, TypeError):
            problems.append(f"error body not ARM-shaped: {body[:80]!r}")
    elif body:
        try:
            json.loads(body)
        except ValueError:
            problems.append(f"success body not JSON: {body[:80]!r}")
    return problems
