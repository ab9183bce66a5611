"""Secrets never leak: the bearer token, adminPassword and customData stay out of logs, reprs,
exception messages, the fake's request records, its state snapshot and its HTTP control API.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import pytest

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss.errors import AzureError
from aiovmss.models import VirtualMachineScaleSet
from aiovmss.transport import Headers, HttpRequest, HttpResponse
from aiovmss.waiters import wait_for_instances_deleted, wait_for_vm_creation
from fakevmss import FakeCompute

TOKEN = "TOKEN-CANARY-91b2"
PASSWORD = "PASSWORD-CANARY-4c1d"
CUSTOM = "CUSTOMDATA-CANARY-0e77"
CANARIES = (TOKEN, PASSWORD, CUSTOM)
RG = "rg"


def body(capacity: int = 2) -> dict[str, Any]:
    return {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "capacity": capacity},
        "properties": {
            "orchestrationMode": "Uniform",
            "virtualMachineProfile": {
                "osProfile": {
                    "computerNamePrefix": "web",
                    "adminUsername": "azure",
                    "adminPassword": PASSWORD,
                    "customData": CUSTOM,
                },
                "storageProfile": {"osDisk": {"osType": "Linux", "createOption": "FromImage"}},
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": True},
                "resilientVMDeletionPolicy": {"enabled": True},
            },
        },
    }


def assert_clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary} leaked into {where}"


def client_for(fake: FakeCompute, **kwargs: Any) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential(TOKEN),
        fake.subscription_id,
        transport=fake.transport(),
        clock=fake.clock,
        retry=RetryPolicy(max_attempts=3),
        **kwargs,
    )


async def _lifecycle(fake: FakeCompute, seen: list[str]) -> None:
    """Create, read, fail, retry and delete, collecting every repr and error text on the way."""
    fake.faults.throttle(retry_after=1, method="PUT")
    fake.faults.http_error(500, "InternalError", method="GET", path="/virtualMachines/0")
    fake.faults.drop_connection(method="POST", after_send=False)
    async with client_for(fake) as client:
        poller = await client.scale_sets.begin_create_or_update(RG, "web", body(3))
        vmss = await poller.result()
        seen += [repr(poller), repr(vmss), str(vmss), repr(client), repr(client.pipeline)]
        await wait_for_vm_creation(client, RG, "web", "0")
        got = await client.scale_sets.get(RG, "web", expand="userData")
        seen += [repr(got), str(got), repr(got.properties)]
        async for vm in client.scale_set_vms.list(RG, "web"):
            seen.append(repr(vm))
        bad = body(3)
        bad["sku"]["capacity"] = -1  # the fake answers 400: the error must not echo the body
        for attempt in (
            client.scale_sets.begin_create_or_update(RG, "web", bad),
            client.scale_sets.get(RG, "missing"),
            client.scale_set_vms.get(RG, "web", "99"),
        ):
            try:
                await attempt
            except AzureError as exc:
                seen += [str(exc), repr(exc), repr(getattr(exc, "error", None))]
        fake.faults.fail_delete("InternalExecutionError", instances=["2"])
        deleting = await client.scale_sets.begin_delete_instances(RG, "web", ["1", "2"])
        with contextlib.suppress(AzureError):
            await deleting.result()
        results = await wait_for_instances_deleted(
            client, RG, "web", ["1", "2"], raise_on_failure=False
        )
        seen += [repr(r) for r in results.values()]


async def test_a_whole_lifecycle_leaks_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeCompute(seed=3)
    seen: list[str] = []
    await _lifecycle(fake, seen)
    assert any("request PUT" in r.getMessage() for r in caplog.records), "DEBUG logs were off"
    assert_clean(caplog.text, "logs")
    for record in caplog.records:
        assert_clean(record.getMessage() + repr(record.args), "a log record")
    assert_clean("\n".join(seen), "reprs and exception texts")
    assert_clean(repr(fake.requests), "fake.requests")
    assert_clean(json.dumps(fake.snapshot()), "fake.snapshot()")
    assert_clean(fake.timeline(), "fake.timeline()")
    assert_clean(repr(fake) + repr(fake.vm(RG, "web", "0")), "fake reprs")


def test_transport_and_credential_reprs() -> None:
    headers = Headers({"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"})
    request = HttpRequest("PUT", "https://x/y", headers, json.dumps(body()).encode())
    response = HttpResponse(200, {"x": "y"}, json.dumps(body()).encode(), request=request)
    assert_clean(repr(request) + repr(response), "request/response repr")
    assert_clean(repr(StaticTokenCredential(TOKEN)), "credential repr")
    model = VirtualMachineScaleSet.from_wire(body())
    assert_clean(repr(model) + str(model) + repr(model.properties), "model repr")
    assert PASSWORD in json.dumps(model.to_wire())  # the secret is still sent


def test_headers_repr_hides_the_authorization_header() -> None:
    headers = Headers({"authorization": f"Bearer {TOKEN}", "Cookie": TOKEN, "Accept": "a/b"})
    assert_clean(repr(headers), "Headers repr")
    assert "'Accept': 'a/b'" in repr(headers)
    assert headers["Authorization"] == f"Bearer {TOKEN}"  # only the repr hides it


async def test_error_with_a_secret_echoing_body_is_redacted() -> None:
    """A (misbehaving) server that echoes the request body in a 502: the snippet is redacted."""
    echo = json.dumps(body()).encode()

    class EchoTransport:
        async def send(self, request: HttpRequest) -> HttpResponse:
            return HttpResponse(502, {"x-ms-request-id": "r"}, echo, request=request)

        async def aclose(self) -> None:
            pass

    async with ComputeClient(
        StaticTokenCredential(TOKEN), "sub", transport=EchoTransport(),
        retry=RetryPolicy(max_attempts=1),
    ) as client:  # fmt: skip
        with pytest.raises(AzureError) as caught:
            await client.scale_sets.get(RG, "web")
    assert_clean(str(caught.value) + repr(caught.value), "error from an echoing body")


async def test_fake_http_control_api_leaks_nothing() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    fake = FakeCompute(seed=4)
    async with TestClient(TestServer(fake.aiohttp_app())) as http:
        url = (
            f"/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers/"
            "Microsoft.Compute/virtualMachineScaleSets/web?api-version=2024-07-01"
        )
        put = await http.put(url, json=body(), headers={"Authorization": f"Bearer {TOKEN}"})
        assert put.status == 201
        assert_clean(await put.text(), "PUT response")
        get = await http.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert_clean(await get.text(), "GET response")
        for control in ("/_fake/requests", "/_fake/state"):
            reply = await http.get(control)
            assert reply.status == 200
            assert_clean(await reply.text(), control)


def test_the_package_logger_has_a_null_handler() -> None:
    import logging

    import aiovmss  # noqa: F401  (importing the package installs the handler)

    handlers = logging.getLogger("aiovmss").handlers
    assert any(isinstance(handler, logging.NullHandler) for handler in handlers)
