"""Backend semantics: names, ETags, feature gating, validation, listing, operations."""

from __future__ import annotations

from typing import Any

import pytest

from fakevmss import FakeCompute
from fakevmss._errors import ArmException

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg"


def body(
    capacity: int = 1, *, mode: str = "Uniform", create: bool = False, delete: bool = False
) -> dict[str, Any]:
    return {
        "location": "westus",
        "tags": {"team": "a"},
        "sku": {"name": "Standard_D2s_v3", "capacity": capacity},
        "properties": {
            "orchestrationMode": mode,
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": create},
                "resilientVMDeletionPolicy": {"enabled": delete},
            },
        },
    }


def raises(status: int, code: str, fn: Any, *args: Any, **kwargs: Any) -> ArmException:
    with pytest.raises(ArmException) as info:
        fn(*args, **kwargs)
    assert (info.value.status, info.value.code) == (status, code)
    return info.value


def test_put_creates_then_replaces() -> None:
    backend = FakeCompute().backend
    scale_set, created, op = backend.sets.put(SUB, RG, "Web", body(2))
    assert created and op.kind == "create" and op.returns_resource
    assert scale_set.provisioning_state == "Creating"
    assert scale_set.name == "Web" and len(scale_set.unique_id) == 36
    again, created, op2 = backend.sets.put(SUB, "RG", "web", body(2) | {"tags": {}})
    assert again is scale_set and not created and op2.kind == "update"
    assert scale_set.spec["tags"] == {}
    assert op2.status == "Succeeded"  # nothing to scale


def test_names_case_insensitive_and_404s() -> None:
    backend = FakeCompute().backend
    backend.sets.put(SUB, "Rg", "Web", body(1))
    assert backend.sets.get(SUB.upper(), "rG", "WEB").name == "Web"
    assert backend.vms.get(SUB, RG, "web", "0").name == "Web_0"
    raises(404, "ResourceNotFound", backend.sets.get, SUB, RG, "nope")
    raises(404, "ResourceNotFound", backend.vms.get, SUB, RG, "web", "5")
    raises(404, "ResourceNotFound", backend.ops.get_operation, SUB, "missing")
    assert backend.sets.delete(SUB, RG, "nope", force=False) is None


def test_patch_deep_merges() -> None:
    backend = FakeCompute().backend
    backend.sets.put(SUB, RG, "web", body(1))
    patch = {"properties": {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": True}}}}
    scale_set, op = backend.sets.patch(SUB, RG, "web", patch)
    assert scale_set.deletion_policy_enabled
    assert not scale_set.creation_policy_enabled
    assert scale_set.spec["tags"] == {"team": "a"}
    assert op.kind == "update"


def test_orchestration_mode_change_refused() -> None:
    backend = FakeCompute().backend
    backend.sets.put(SUB, RG, "web", body(0))
    error = raises(
        400, "OperationNotAllowed", backend.sets.put, SUB, RG, "web", body(0, mode="Flexible")
    )
    assert error.target == "properties.orchestrationMode"


def test_negative_capacity_refused() -> None:
    backend = FakeCompute().backend
    error = raises(400, "InvalidParameter", backend.sets.put, SUB, RG, "web", body(-1))
    assert error.target == "sku.capacity"


def test_update_while_deleting_is_409() -> None:
    fake = FakeCompute()
    fake.faults.fail_delete("InternalExecutionError")
    fake.backend.sets.put(SUB, RG, "web", body(1))
    fake.clock.advance(100)
    fake.backend.sets.delete(SUB, RG, "web", force=False)
    raises(409, "OperationNotAllowed", fake.backend.sets.put, SUB, RG, "web", body(1))


def test_etags() -> None:
    backend = FakeCompute().backend
    raises(412, "PreconditionFailed", backend.sets.put, SUB, RG, "web", body(0), if_match='"1"')
    scale_set, _, _ = backend.sets.put(SUB, RG, "web", body(0), if_none_match="*")
    raises(412, "PreconditionFailed", backend.sets.put, SUB, RG, "web", body(0), if_none_match="*")
    raises(412, "PreconditionFailed", backend.sets.patch, SUB, RG, "web", {}, if_match='"999"')
    etag = scale_set.etag
    backend.sets.patch(SUB, RG, "web", {}, if_match=f'W/"{etag}"')
    assert scale_set.etag > etag
    backend.sets.put(SUB, RG, "web", body(0), if_match="*")


def test_vm_etag_changes_with_state() -> None:
    fake = FakeCompute()
    fake.backend.sets.put(SUB, RG, "web", body(1))
    vm = fake.backend.vms.get(SUB, RG, "web", "0")
    before = vm.etag
    fake.clock.advance(90)
    assert vm.etag > before


def test_feature_gating_and_registration() -> None:
    fake = FakeCompute(features_registered=False)
    backend = fake.backend
    backend.sets.put(SUB, RG, "plain", body(0))
    error = raises(
        400,
        "SubscriptionNotRegisteredForFeature",
        backend.sets.put,
        SUB,
        RG,
        "web",
        body(0, create=True),
    )
    assert "ResilientVMScaleSetVMCreation" in error.message
    error = raises(
        400,
        "SubscriptionNotRegisteredForFeature",
        backend.sets.patch,
        SUB,
        RG,
        "plain",
        body(0, delete=True),
    )
    assert "ReliableVMDeletion" in error.message
    assert backend.ops.get_feature(SUB, "Microsoft.Compute", "ReliableVMDeletion").state == (
        "NotRegistered"
    )
    feature = backend.ops.register_feature(SUB, "Microsoft.Compute", "ReliableVMDeletion")
    assert feature.state == "Registering"
    fake.clock.advance(299)
    assert feature.state == "Registering"
    fake.clock.advance(1)
    assert backend.ops.get_feature(SUB, "microsoft.compute", "reliablevmdeletion").state == (
        "Registered"
    )
    backend.sets.patch(SUB, RG, "plain", body(0, delete=True))
    # The seed's other spelling of the create feature counts too.
    backend.ops.register_feature(SUB, "Microsoft.Compute", "ResilientScaleSetVMCreation")
    fake.clock.advance(300)
    backend.sets.put(SUB, RG, "web", body(0, create=True))


def test_features_registered_by_default() -> None:
    backend = FakeCompute().backend
    assert backend.ops.get_feature(SUB, "Microsoft.Compute", "ReliableVMDeletion").state == (
        "Registered"
    )
    backend.sets.put(SUB, RG, "web", body(0, create=True, delete=True))


def test_listing() -> None:
    backend = FakeCompute().backend
    backend.sets.put(SUB, "b", "two", body(0))
    backend.sets.put(SUB, "a", "one", body(3))
    backend.sets.put("other-sub", "a", "x", body(0))
    assert [s.name for s in backend.sets.list(SUB, None)] == ["one", "two"]
    assert [s.name for s in backend.sets.list(SUB, "B")] == ["two"]
    assert [vm.instance_id for vm in backend.vms.list(SUB, "a", "one")] == ["0", "1", "2"]


def test_flexible_list_vms_is_400_but_get_works() -> None:
    backend = FakeCompute().backend
    scale_set, _, _ = backend.sets.put(SUB, RG, "flex", body(1, mode="Flexible"))
    raises(400, "OperationNotAllowed", backend.vms.list, SUB, RG, "flex")
    (vm,) = scale_set.vms.values()
    assert vm.name == vm.instance_id and vm.instance_id.startswith("flex_")
    assert backend.vms.get(SUB, RG, "flex", vm.instance_id.upper()) is vm


def test_operation_lookup_and_scope() -> None:
    fake = FakeCompute()
    _, _, op = fake.backend.sets.put(SUB, RG, "web", body(1))
    assert fake.backend.ops.get_operation(SUB, op.id) is op
    raises(404, "ResourceNotFound", fake.backend.ops.get_operation, "another", op.id)
    assert op.status == "InProgress" and op.end_time is None
    fake.clock.advance(90)
    assert op.status == "Succeeded" and op.end_time == 90
    assert op.location == "westus"
    assert op.resource_id.endswith("/virtualMachineScaleSets/web")


def test_empty_scale_set_delete_is_immediate() -> None:
    fake = FakeCompute()
    fake.backend.sets.put(SUB, RG, "web", body(0))
    op = fake.backend.sets.delete(SUB, RG, "web", force=True)
    assert op is not None and op.status == "Succeeded"
    assert fake.backend.sets.list(SUB, RG) == []


def test_attach_needs_flexible() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=0)
    with pytest.raises(ArmException):
        fake.attach_vm(RG, "web")


def test_refusals_name_the_scale_set() -> None:
    backend = FakeCompute().backend
    backend.sets.put(SUB, RG, "web", body(0))
    backend.sets.put(SUB, RG, "flex", body(0, mode="Flexible"))
    stale = raises(
        412, "PreconditionFailed", backend.sets.patch, SUB, RG, "web", {}, if_match='"9"'
    )
    assert "If-Match" in stale.message and "'web'" in stale.message
    taken = raises(
        412, "PreconditionFailed", backend.sets.put, SUB, RG, "web", body(0), if_none_match="*"
    )
    assert "If-None-Match" in taken.message and "'web'" in taken.message
    assert "'flex'" in raises(400, "OperationNotAllowed", backend.vms.list, SUB, RG, "flex").message
    mode = raises(
        400, "OperationNotAllowed", backend.sets.put, SUB, RG, "web", body(0, mode="Flexible")
    )
    assert "'web'" in mode.message and "Flexible" in mode.message
    assert "'web'" in raises(400, "OperationNotAllowed", backend.vms.attach, SUB, RG, "web").message
