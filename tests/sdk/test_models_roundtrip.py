"""Property tests: wire -> model -> JSON -> model round-trips; extras, unknown enums kept."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aiovmss.models import (
    ArmEnum,
    OrchestrationMode,
    ProvisioningState,
    ResilientVMDeletionStatus,
    UpgradeMode,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetVM,
)

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None)

json_leaf = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=8)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
# "zz" prefixes no known field name or alias, so these always land in the model's extras
extras = st.dictionaries(
    st.text("abcXYZ", min_size=1, max_size=6).map(lambda s: "zz" + s), json_value, max_size=2
)


def _fold(value: str) -> str:
    return value.replace(" ", "").replace("_", "").casefold()


def enum_or_unknown(enum: type[ArmEnum]) -> st.SearchStrategy[str]:
    """A member's value in a random case, or a string no member matches."""
    known = st.sampled_from([m.value for m in enum]).flatmap(
        lambda v: st.sampled_from([v, v.lower(), v.upper()])
    )
    unknown = st.text(min_size=1, max_size=10).filter(
        lambda s: all(_fold(s) != _fold(m.value) for m in enum)
    )
    return known | unknown


def optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict holding any subset of ``fields``, plus some unknown keys."""
    return st.fixed_dictionaries({}, optional=fields).flatmap(
        lambda d: extras.map(lambda e: {**d, **e})
    )


policy = optional(enabled=st.none() | st.booleans())
resiliency = optional(resilientVMCreationPolicy=policy, resilientVMDeletionPolicy=policy)
os_profile = optional(
    computerNamePrefix=st.text(max_size=8),
    adminUsername=st.text(max_size=8),
    adminPassword=st.text(max_size=8),
    customData=st.text(max_size=8),
)
vm_profile = optional(
    osProfile=os_profile,
    storageProfile=optional(osDisk=optional(osType=st.sampled_from(["Linux", "windows", "Plan9"]))),
)
scale_set_props = optional(
    overprovision=st.booleans(),
    orchestrationMode=enum_or_unknown(OrchestrationMode),
    upgradePolicy=optional(mode=enum_or_unknown(UpgradeMode)),
    resiliencyPolicy=resiliency,
    virtualMachineProfile=vm_profile,
    provisioningState=enum_or_unknown(ProvisioningState),
    uniqueId=st.uuids().map(str),
    timeCreated=st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
)
scale_set = optional(
    id=st.text(max_size=10),
    name=st.text(max_size=10),
    location=st.sampled_from(["westus", "eastus2euap"]),
    tags=st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    sku=optional(name=st.text(max_size=8), capacity=st.integers(0, 1000)),
    zones=st.lists(st.sampled_from(["1", "2", "3"]), max_size=3),
    etag=st.text(max_size=4),
    properties=scale_set_props,
)
vm = optional(
    instanceId=st.integers(0, 999).map(str),
    type=st.sampled_from(
        [
            "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
            "Microsoft.Compute/virtualMachines",
        ]
    ),
    properties=optional(
        provisioningState=enum_or_unknown(ProvisioningState),
        resilientVMDeletionStatus=enum_or_unknown(ResilientVMDeletionStatus)
        | st.just("In Progress"),
        latestModelApplied=st.booleans(),
        osProfile=os_profile,
    ),
)


def _check_round_trip(model: Any, body: dict[str, Any]) -> None:
    parsed = model.from_wire(body)
    dumped = parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)
    again = model.from_wire(json.dumps(dumped).encode())
    assert again == parsed
    assert again.model_dump(mode="json", by_alias=True, exclude_unset=True) == dumped
    # to_wire is a fixed point: a request body parses back to itself
    wire = parsed.to_wire()
    assert model.from_wire(json.dumps(wire)).to_wire() == wire


@SETTINGS
@given(scale_set)
def test_scale_set_round_trips(body: dict[str, Any]) -> None:
    _check_round_trip(VirtualMachineScaleSet, body)
    parsed = VirtualMachineScaleSet.from_wire(body)
    wire = parsed.to_wire()
    assert not {"id", "name", "type", "etag"} & set(wire)
    props = wire.get("properties") or {}
    assert not {"provisioningState", "uniqueId", "timeCreated"} & set(props)
    for key, value in body.items():
        if key.startswith("zz"):
            assert wire[key] == value
    for key, value in (body.get("properties") or {}).items():
        if key.startswith("zz"):
            assert props[key] == value


@SETTINGS
@given(scale_set)
def test_update_body_round_trips(body: dict[str, Any]) -> None:
    # PATCH bodies have no read-only fields: whatever it was given, it sends back
    body = {k: v for k, v in body.items() if k not in {"id", "name", "etag", "location"}}
    props = {
        k: v
        for k, v in (body.get("properties") or {}).items()
        if k not in {"provisioningState", "uniqueId", "timeCreated", "orchestrationMode"}
    }
    if "properties" in body:
        body["properties"] = props
    _check_round_trip(VirtualMachineScaleSetUpdate, body)


@SETTINGS
@given(vm)
def test_vm_round_trips_and_enums(body: dict[str, Any]) -> None:
    _check_round_trip(VirtualMachineScaleSetVM, body)
    parsed = VirtualMachineScaleSetVM.from_wire(body)
    props = body.get("properties") or {}
    for key, attr, enum in [
        ("provisioningState", "provisioning_state", ProvisioningState),
        ("resilientVMDeletionStatus", "resilient_vm_deletion_status", ResilientVMDeletionStatus),
    ]:
        if key not in props:
            assert getattr(parsed, attr) is None
            continue
        raw, value = props[key], getattr(parsed, attr)
        dumped = parsed.model_dump(mode="json", by_alias=True)["properties"][key]
        if any(_fold(raw) == _fold(m.value) for m in enum):
            assert isinstance(value, enum)
            assert dumped == value.value
        else:
            assert type(value) is str and value == raw and dumped == raw


secret = st.text(max_size=8).map(lambda s: "Canary-9f1b-" + s)


@SETTINGS
@given(os_profile, secret, secret)
def test_secrets_survive_to_wire_but_not_repr(
    body: dict[str, Any], password: str, custom_data: str
) -> None:
    body = {**body, "adminPassword": password, "customData": custom_data}
    parsed = VirtualMachineScaleSetVM.from_wire({"properties": {"osProfile": body}})
    wire_profile = parsed.to_wire()["properties"]["osProfile"]
    assert wire_profile["adminPassword"] == password
    assert wire_profile["customData"] == custom_data
    assert "Canary-9f1b-" not in repr(parsed)
    assert "Canary-9f1b-" not in str(parsed.properties)
