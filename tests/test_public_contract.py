"""The client's public contract (docs/design.md), imported and called exactly as documented.

Test suites outside this repository import these names and call them with these signatures,
keyword-only markers and defaults; a change here is a breaking change. The fake and the
waiters are checked in ``test_public_contract_fake.py``.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from signature_support import EMPTY, KW, POS, assert_shape, shape

from aiovmss import ApiVersion, AsyncLROPoller, AsyncPaged, ComputeClient, StaticTokenCredential
from aiovmss.errors import (
    ApiVersionError,
    AzureError,
    ClientAuthenticationError,
    ConflictError,
    HttpResponseError,
    InvalidNameError,
    OperationFailedError,
    PreconditionFailedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
    ThrottledError,
    VMCreationFailedError,
    VMDeletionFailedError,
    WaitTimeoutError,
)
from aiovmss.models import (
    ResiliencyPolicy,
    ResilientVMCreationPolicy,
    ResilientVMDeletionPolicy,
    ResilientVMDeletionStatus,
    Sku,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetVM,
)
from aiovmss.transport import AiohttpTransport, AsyncTransport, HttpRequest, HttpResponse
from fakevmss import FakeCompute

RG = "rg"


def client_for(fake: FakeCompute, **kwargs: Any) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock, **kwargs,
    )  # fmt: skip


class Recording:
    """A transport that records requests and forwards them to an inner one."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.io_clock = getattr(inner, "io_clock", None)  # delays pass on the fake's clock
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        response: HttpResponse = await self.inner.send(request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# -- §3 the import lines and the client's constructor -------------------------------------------


def test_documented_imports_resolve() -> None:
    import aiovmss
    import aiovmss.models
    import aiovmss.waiters

    for name in ("ComputeClient", "ApiVersion", "StaticTokenCredential"):
        assert name in aiovmss.__all__
    for name in ("VirtualMachineScaleSet", "ResiliencyPolicy", "ResilientVMDeletionStatus"):
        assert name in aiovmss.models.__all__
    assert "wait_for_vm_deletion" in aiovmss.waiters.__all__
    assert isinstance(aiovmss.__version__, str) and aiovmss.__version__


def test_compute_client_signature() -> None:
    assert_shape(
        ComputeClient.__init__,
        ("credential", POS, EMPTY),
        ("subscription_id", POS, EMPTY),
        ("api_version", KW, ApiVersion.V2024_07_01),
        ("base_url", KW, "https://management.azure.com"),
        ("transport", KW, None),
    )
    params = inspect.signature(ComputeClient.__init__).parameters
    for name in ("retry", "polling_interval", "clock", "application_id"):
        assert params[name].kind is KW, name
    assert params["clock"].default is None
    assert params["application_id"].default is None


def test_api_version_values() -> None:
    assert ApiVersion("2024-07-01") is ApiVersion.V2024_07_01
    assert ApiVersion("2023-07-01") is ApiVersion.V2023_07_01
    assert isinstance(ApiVersion.V2024_07_01, str)
    client = ComputeClient(StaticTokenCredential("t"), "sub", api_version="2023-07-01")
    assert client.api_version is ApiVersion.V2023_07_01
    with pytest.raises(ApiVersionError):
        ComputeClient(StaticTokenCredential("t"), "sub", api_version="2020-01-01")


async def test_async_with_and_idempotent_aclose() -> None:
    fake = FakeCompute()
    async with client_for(fake) as client:
        assert isinstance(client, ComputeClient)
    await client.aclose()
    await client.aclose()
    owned = ComputeClient(StaticTokenCredential("t"), "sub")
    await owned.aclose()
    await owned.aclose()


def test_http_base_url_only_for_loopback() -> None:
    cred = StaticTokenCredential("t")
    for url in ("http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:5"):
        assert ComputeClient(cred, "sub", base_url=url).base_url == url
    with pytest.raises(ValueError):
        ComputeClient(cred, "sub", base_url="http://management.azure.com")


async def test_static_token_credential_and_scope() -> None:
    token = await StaticTokenCredential("abc").get_token("https://management.azure.com/.default")
    assert token[0] == "abc"
    assert isinstance(token[1], int)

    seen: list[tuple[str, ...]] = []

    class Cred:
        async def get_token(self, *scopes: str) -> tuple[str, int]:
            seen.append(scopes)
            return "tok", 2**31

    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=0)
    recording = Recording(fake.transport())
    async with ComputeClient(
        Cred(), fake.subscription_id, transport=recording, clock=fake.clock, application_id="app/1"
    ) as client:
        await client.scale_sets.get(RG, "web")
        await client.scale_sets.get(RG, "web")
    assert seen == [("https://management.azure.com/.default",)]  # cached
    sent = recording.requests[0]
    assert sent.headers["authorization"] == "Bearer tok"
    assert sent.headers["x-ms-client-request-id"]
    agent = sent.headers["user-agent"]
    assert agent.startswith("app/1 aiovmss/") and " Python/" in agent


async def test_clock_is_any_object_with_now_and_sleep() -> None:
    fake = FakeCompute()
    async with client_for(fake) as client:
        assert client.clock is fake.clock
    default = ComputeClient(StaticTokenCredential("t"), "sub")
    assert callable(default.clock.now) and inspect.iscoroutinefunction(default.clock.sleep)
    await default.aclose()


# -- §3 operation groups ------------------------------------------------------------------------


def test_scale_sets_signatures() -> None:
    ops = ComputeClient(StaticTokenCredential("t"), "sub").scale_sets
    rg_name = [("resource_group", POS, EMPTY), ("name", POS, EMPTY)]
    got = {n: shape(getattr(ops, n)) for n in dir(ops) if not n.startswith("_")}
    assert [k for _, k, _ in got["begin_create_or_update"]] == [POS] * 3 + [KW] * 2
    assert_shape(
        ops.begin_create_or_update, *rg_name, ("body", POS, EMPTY),
        ("if_match", KW, None), ("if_none_match", KW, None),
    )  # fmt: skip
    assert_shape(ops.begin_update, *rg_name, ("body", POS, EMPTY), ("if_match", KW, None))
    assert_shape(ops.get, *rg_name, ("expand", KW, None))
    assert_shape(ops.list, ("resource_group", POS, EMPTY))
    assert_shape(ops.list_all)
    assert_shape(ops.begin_delete, *rg_name, ("force_deletion", KW, False))
    assert_shape(
        ops.begin_delete_instances, *rg_name, ("instance_ids", POS, EMPTY),
        ("force_deletion", KW, False),
    )  # fmt: skip
    assert_shape(
        ops.begin_set_resiliency_policy, *rg_name,
        ("resilient_vm_creation", KW, None), ("resilient_vm_deletion", KW, None),
    )  # fmt: skip
    # the lifecycle operations: official names, ``instance_ids`` instead of vm_instance_i_ds
    assert_shape(ops.get_instance_view, *rg_name)
    assert_shape(ops.list_skus, *rg_name)
    some = ("instance_ids", KW, None)
    for verb in ("start", "restart", "redeploy", "perform_maintenance", "reimage_all",
                 "approve_rolling_upgrade"):  # fmt: skip
        assert_shape(getattr(ops, f"begin_{verb}"), *rg_name, some)
    assert_shape(ops.begin_power_off, *rg_name, some, ("skip_shutdown", KW, None))
    assert_shape(ops.begin_deallocate, *rg_name, some, ("hibernate", KW, None))
    assert_shape(
        ops.begin_reimage, *rg_name, some, ("temp_disk", KW, None), ("exact_version", KW, None),
        ("os_profile", KW, None), ("force_update_os_disk_for_ephemeral", KW, None),
    )  # fmt: skip
    assert_shape(ops.begin_update_instances, *rg_name, ("instance_ids", POS, EMPTY))


def test_scale_set_vms_and_features_signatures() -> None:
    client = ComputeClient(StaticTokenCredential("t"), "sub")
    vms = client.scale_set_vms
    rg_name = [("resource_group", POS, EMPTY), ("name", POS, EMPTY)]
    assert_shape(
        vms.list, *rg_name, ("expand", KW, None), ("filter", KW, None), ("select", KW, None)
    )
    assert_shape(vms.get, *rg_name, ("instance_id", POS, EMPTY), ("expand", KW, None))
    assert_shape(
        vms.begin_delete, *rg_name, ("instance_id", POS, EMPTY), ("force_deletion", KW, False)
    )
    vm = [*rg_name, ("instance_id", POS, EMPTY)]
    assert_shape(vms.get_instance_view, *vm)
    assert_shape(
        vms.begin_update, *vm, ("body", POS, EMPTY), ("if_match", KW, None),
        ("if_none_match", KW, None),
    )  # fmt: skip
    for verb in ("start", "deallocate", "restart", "redeploy", "reimage_all"):
        assert_shape(getattr(vms, f"begin_{verb}"), *vm)
    assert_shape(vms.begin_power_off, *vm, ("skip_shutdown", KW, None))
    assert_shape(
        vms.begin_reimage, *vm, ("temp_disk", KW, None), ("exact_version", KW, None),
        ("os_profile", KW, None), ("force_update_os_disk_for_ephemeral", KW, None),
    )  # fmt: skip
    for method in (client.features.register, client.features.get):
        assert_shape(method, ("namespace", POS, EMPTY), ("feature", POS, EMPTY))
        assert inspect.iscoroutinefunction(method)


def test_list_is_plain_def_get_and_begin_are_async_def() -> None:
    client = ComputeClient(StaticTokenCredential("t"), "sub")
    groups = {"scale_sets": client.scale_sets, "scale_set_vms": client.scale_set_vms}
    for group_name, group in groups.items():
        for name in dir(group):
            if name.startswith("_"):
                continue
            method = getattr(group, name)
            is_async = inspect.iscoroutinefunction(method)
            if name.startswith("list"):
                assert not is_async, f"{group_name}.{name} must be a plain def"
            elif name.startswith(("get", "begin_")):
                assert is_async, f"{group_name}.{name} must be an async def"


async def test_create_with_dict_or_model_returns_poller_of_model() -> None:
    fake = FakeCompute()
    async with client_for(fake) as client:
        body = {
            "location": "westus",
            "sku": {"name": "Standard_D2s_v3", "capacity": 1},
            "properties": {"resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": True}}},
        }
        poller = await client.scale_sets.begin_create_or_update(RG, "a", body)
        assert isinstance(poller, AsyncLROPoller)
        scale_set = await poller.result()
        assert isinstance(scale_set, VirtualMachineScaleSet)
        assert scale_set.properties is not None
        policy = scale_set.properties.resiliency_policy
        assert policy is not None and policy.resilient_vm_creation_policy is not None
        assert policy.resilient_vm_creation_policy.enabled is True
        model = VirtualMachineScaleSet.model_validate({**body, "sku": {"capacity": 0}})
        again = await (await client.scale_sets.begin_create_or_update(RG, "b", model)).result()
        assert again.name == "b"


async def test_poller_methods_and_continuation_token() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(600)
    async with client_for(fake) as client:
        poller = await client.scale_sets.begin_delete_instances(RG, "web", ["0"])
        assert not poller.done()
        assert isinstance(poller.status(), str)
        token = poller.continuation_token()
        assert isinstance(json.loads(token), dict)  # JSON, never pickle
        resumed = AsyncLROPoller.from_continuation_token(client, token)
        assert await resumed.result(timeout=None) is None
        assert resumed.done() and resumed.status() == "Succeeded"
        await poller.wait()
        assert poller.done()
    params = inspect.signature(AsyncLROPoller.result).parameters
    assert params["timeout"].default is None
    assert inspect.iscoroutinefunction(AsyncLROPoller.wait)


async def test_paged_async_for_and_by_page_follow_next_link() -> None:
    fake = FakeCompute(page_size=2)
    fake.create_scale_set(RG, "web", capacity=5)
    async with client_for(fake) as client:
        paged = client.scale_set_vms.list(RG, "web")
        assert isinstance(paged, AsyncPaged)
        ids = [vm.instance_id async for vm in paged]
        pages = [len(page) async for page in client.scale_set_vms.list(RG, "web").by_page()]
        listed = [s.name async for s in client.scale_sets.list(RG)]
        everywhere = [s.name async for s in client.scale_sets.list_all()]
    assert ids == ["0", "1", "2", "3", "4"] and pages == [2, 2, 1]
    assert listed == everywhere == ["web"]


async def test_vm_model_nesting_and_deletion_status() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(600)
    async with client_for(fake) as client:
        vm = await client.scale_set_vms.get(RG, "web", "0", expand="resiliencyView")
        assert isinstance(vm, VirtualMachineScaleSetVM)
        assert vm.instance_id == "0"
        assert vm.properties is not None
        assert vm.properties.provisioning_state == "Succeeded"
        assert vm.properties.resilient_vm_deletion_status == ResilientVMDeletionStatus.ENABLED


async def test_set_resiliency_policy_patches_only_the_policy() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=0, deletion_policy=False)
    recording = Recording(fake.transport())
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=recording, clock=fake.clock
    ) as client:
        poller = await client.scale_sets.begin_set_resiliency_policy(
            RG, "web", resilient_vm_deletion=True
        )
        result = await poller.result()
    patch = recording.requests[0]
    assert patch.method == "PATCH"
    assert json.loads(patch.body or b"") == {
        "properties": {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": True}}}
    }
    assert result.properties is not None and result.properties.resiliency_policy is not None
    deletion = result.properties.resiliency_policy.resilient_vm_deletion_policy
    assert deletion is not None and deletion.enabled is True


@pytest.mark.parametrize("force", [False, True])
async def test_force_deletion_is_always_a_query_parameter(force: bool) -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=2)
    fake.clock.advance(600)
    recording = Recording(fake.transport())
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=recording, clock=fake.clock
    ) as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0", force_deletion=force)
        await client.scale_sets.begin_delete_instances(RG, "web", ["1"], force_deletion=force)
        await client.scale_sets.begin_delete(RG, "web", force_deletion=force)
    flag = f"forceDeletion={'true' if force else 'false'}"
    sent = [r for r in recording.requests if r.method in ("DELETE", "POST")]
    assert len(sent) == 3 and all(flag in r.url for r in sent)
    assert all(b"forceDeletion" not in (r.body or b"") for r in sent)


# -- §3 models ----------------------------------------------------------------------------------


def test_model_names_follow_the_spec() -> None:
    policy = ResiliencyPolicy.model_validate(
        {
            "resilientVMCreationPolicy": {"enabled": True},
            "resilientVMDeletionPolicy": {"enabled": False},
        }
    )
    assert isinstance(policy.resilient_vm_creation_policy, ResilientVMCreationPolicy)
    assert isinstance(policy.resilient_vm_deletion_policy, ResilientVMDeletionPolicy)
    assert Sku.model_validate({"name": "Standard_D2s_v3", "capacity": 3}).capacity == 3


def test_deletion_status_enum() -> None:
    assert issubclass(ResilientVMDeletionStatus, str)
    assert ResilientVMDeletionStatus.IN_PROGRESS == "InProgress"
    assert {m.name for m in ResilientVMDeletionStatus} >= {
        "ENABLED", "DISABLED", "IN_PROGRESS", "FAILED",
    }  # fmt: skip
    assert ResilientVMDeletionStatus("In Progress") is ResilientVMDeletionStatus.IN_PROGRESS
    assert ResilientVMDeletionStatus.FAILED == "failed"  # case-insensitive
    vm = VirtualMachineScaleSetVM.model_validate(
        {"instanceId": "3", "properties": {"resilientVMDeletionStatus": "In Progress"}}
    )
    assert vm.properties is not None
    assert vm.properties.resilient_vm_deletion_status is ResilientVMDeletionStatus.IN_PROGRESS


def test_models_keep_unknowns_and_omit_read_only_fields() -> None:
    wire = {
        "id": "/subscriptions/s/x",
        "name": "web",
        "type": "Microsoft.Compute/virtualMachineScaleSets",
        "etag": '"1"',
        "location": "westus",
        "futureField": {"a": 1},
        "properties": {
            "provisioningState": "succeeded",
            "uniqueId": "u",
            "timeCreated": "2026-01-01T00:00:00Z",
            "orchestrationMode": "SomeNewMode",
            "resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": True}},
        },
    }
    vmss = VirtualMachineScaleSet.model_validate(wire)
    assert vmss.properties is not None
    assert vmss.properties.provisioning_state == "Succeeded"
    assert vmss.properties.orchestration_mode == "SomeNewMode"  # unknown enum value kept
    policy = vmss.properties.resiliency_policy
    assert policy is not None and policy.resilient_vm_creation_policy is not None
    assert policy.resilient_vm_creation_policy.enabled is True
    body = vmss.to_wire()
    assert body["futureField"] == {"a": 1}
    assert body["properties"]["orchestrationMode"] == "SomeNewMode"
    for read_only in ("id", "name", "type", "etag"):
        assert read_only not in body
    assert "provisioningState" not in body["properties"]
    assert "uniqueId" not in body["properties"]
    assert "timeCreated" not in body["properties"]
    assert "tags" not in body  # unset fields are omitted


# -- §3 names, version gating, errors -----------------------------------------------------------


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "a?b", "a#b", "a%b", "a\nb"])
async def test_unsafe_names_raise_before_sending(bad: str) -> None:
    assert issubclass(InvalidNameError, ValueError)
    fake = FakeCompute()
    async with client_for(fake) as client:
        with pytest.raises(InvalidNameError):
            await client.scale_sets.get(bad, "web")
        with pytest.raises(InvalidNameError):
            await client.scale_set_vms.get(RG, "web", bad)
    assert fake.requests == []


async def test_version_gating_raises_before_any_request() -> None:
    fake = FakeCompute()
    async with client_for(fake, api_version="2023-07-01") as client:
        for expand in ("resiliencyView", "ResiliencyView"):
            with pytest.raises(ApiVersionError):
                await client.scale_set_vms.get(RG, "web", "0", expand=expand)
        with pytest.raises(ApiVersionError):
            await client.scale_sets.begin_create_or_update(RG, "web", {}, if_match="*")
    assert issubclass(ApiVersionError, ValueError) and issubclass(ApiVersionError, AzureError)
    assert fake.requests == []


def test_error_hierarchy() -> None:
    for cls in (
        ServiceRequestError,
        ServiceResponseError,
        HttpResponseError,
        OperationFailedError,
        ApiVersionError,
        WaitTimeoutError,
        VMDeletionFailedError,
        VMCreationFailedError,
    ):
        assert issubclass(cls, AzureError), cls  # fmt: skip
    for cls in (
        ResourceNotFoundError,
        ConflictError,
        PreconditionFailedError,
        ThrottledError,
        ClientAuthenticationError,
    ):
        assert issubclass(cls, HttpResponseError), cls  # fmt: skip


@pytest.mark.parametrize(
    ("status", "code", "error_type"),
    [
        (404, "ResourceNotFound", ResourceNotFoundError),
        (409, "OperationNotAllowed", ConflictError),
        (412, "PreconditionFailed", PreconditionFailedError),
        (401, "AuthenticationFailed", ClientAuthenticationError),
        (403, "AuthorizationFailed", ClientAuthenticationError),
        (400, "InvalidParameter", HttpResponseError),
    ],
)
async def test_http_errors_carry_status_arm_error_and_request_id(
    status: int, code: str, error_type: type[HttpResponseError]
) -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=0)
    fake.faults.http_error(status, code, method="GET")
    async with client_for(fake) as client:
        with pytest.raises(error_type) as caught:
            await client.scale_sets.get(RG, "web")
    error = caught.value
    assert error.status_code == status
    assert error.error.code == code
    assert isinstance(error.error.message, str)
    assert error.error.target is None or isinstance(error.error.target, str)
    assert isinstance(error.error.details, tuple | list)
    assert error.request_id
    assert "scale_sets.get" in str(error) and "web" in str(error) and code in str(error)


async def test_throttled_error_has_retry_after() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=0)
    fake.faults.throttle(retry_after=600, method="GET", times=None)
    async with client_for(fake) as client:
        with pytest.raises(ThrottledError) as caught:
            await client.scale_sets.get(RG, "web")
    assert caught.value.retry_after == 600


async def test_failed_lro_raises_operation_failed_error() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(600)
    fake.faults.fail_delete("InternalExecutionError", scale_set="web")
    async with client_for(fake) as client:
        poller = await client.scale_set_vms.begin_delete(RG, "web", "0")
        with pytest.raises(OperationFailedError) as caught:
            await poller.result()
    assert caught.value.status == "Failed"
    assert caught.value.error.code == "InternalExecutionError"
    message = str(caught.value)
    assert "scale_set_vms.begin_delete" in message and "web" in message
    assert "InternalExecutionError" in message


async def test_features_register_then_get() -> None:
    fake = FakeCompute(features_registered=False)
    async with client_for(fake) as client:
        first = await client.features.register("Microsoft.Compute", "ReliableVMDeletion")
        assert first.properties is not None and first.properties.state == "Registering"
        fake.clock.advance(fake.timings.feature_registration)
        later = await client.features.get("Microsoft.Compute", "ReliableVMDeletion")
        assert later.properties is not None and later.properties.state == "Registered"
    assert all(r.api_version == "2021-07-01" for r in fake.requests)


def test_retry_policy_caps_retry_after_at_60_seconds() -> None:
    from aiovmss import RetryPolicy

    client = ComputeClient(StaticTokenCredential("t"), "sub")
    assert RetryPolicy().max_retry_after == 60.0
    assert client.polling_settings is not None


# -- §3 transport -------------------------------------------------------------------------------


def test_transport_types() -> None:
    assert [(n, d) for n, _, d in shape(HttpRequest.__init__)][:4] == [
        ("method", EMPTY), ("url", EMPTY), ("headers", None), ("body", None),
    ]  # fmt: skip
    request = HttpRequest("get", "https://h/p?a=1", {"X-Thing": "1"})
    assert request.method == "GET" and request.url == "https://h/p?a=1"
    assert request.headers["x-thing"] == "1" and request.body is None
    response = HttpResponse(200, {"Retry-After": "3"}, b"{}")
    assert response.status_code == 200 and response.body == b"{}"
    assert response.headers["retry-after"] == "3"
    assert isinstance(FakeCompute().transport(), AsyncTransport)
    assert inspect.iscoroutinefunction(AiohttpTransport.send)
    assert inspect.iscoroutinefunction(AiohttpTransport.aclose)


async def test_aiohttp_transport_never_closes_a_callers_session() -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        transport = AiohttpTransport(session)
        await transport.aclose()
        await transport.aclose()
        assert not session.closed


def test_httpx_transport_is_exported() -> None:
    from aiovmss.transport import HttpxTransport

    assert inspect.iscoroutinefunction(HttpxTransport.send)
