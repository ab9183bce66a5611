"""The service's rules beyond the published schema: scale set bodies, instance ids, flags.

Bodies reach these checks after ``_schema_check`` (which refuses unknown members, checks types
and drops read-only members). What is left here is what the fake relies on and the files do
not say: ``location`` on PUT, ``sku.capacity`` within 0..1000, the enums the engine reads
(normalised to their canonical spelling, so the backend sees ``"Flexible"`` whatever case the
client sent). The same rules also cover an api-version without a generated schema, so they
drop ``null`` members (ARM treats them as not given) and the read-only ones themselves.

Each check raises ``ArmException`` (400) naming the offending field in ``target``; nothing here
raises anything else.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakevmss._errors import ArmException, invalid_parameter

__all__ = [
    "parse_bool_flag",
    "validate_instance_ids",
    "validate_scale_set_body",
]

_MISSING = object()

#: Fields the service sets; ignored when a client sends them.
READ_ONLY_TOP = ("id", "name", "type", "etag")
READ_ONLY_PROPERTIES = ("provisioningState", "uniqueId", "timeCreated")


def parse_bool_flag(name: str, raw: str | None) -> bool:
    """A ``true``/``false`` query flag (case-insensitive); absent means false.

    Raises:
        ArmException: 400 ``InvalidParameter`` (target ``name``) for any other value.
    """
    if raw is None:
        return False
    lowered = raw.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise invalid_parameter(name, f"The value '{raw[:100]}' of {name} must be 'true' or 'false'.")


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string", int: "integer", float: "number"}.get(
        type(value), type(value).__name__
    )


def _wrong(path: str, expected: str, value: Any) -> ArmException:
    return invalid_parameter(
        path, f"The value of parameter {path} must be {expected}, not {_type_name(value)}."
    )


Checker = Callable[[str, Any], Any]


def is_str(path: str, value: Any) -> Any:
    """A JSON string."""
    if not isinstance(value, str):
        raise _wrong(path, "a string", value)
    return value


def is_bool(path: str, value: Any) -> Any:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise _wrong(path, "a boolean", value)
    return value


def is_object(path: str, value: Any) -> Any:
    """A JSON object."""
    if not isinstance(value, dict):
        raise _wrong(path, "an object", value)
    return value


def int_between(low: int, high: int) -> Checker:
    """A JSON integer in ``low..high``."""

    def check(path: str, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(path, "an integer", value)
        if not low <= value <= high:
            raise invalid_parameter(
                path, f"The value {value} of parameter {path} must be between {low} and {high}."
            )
        return value

    return check


def one_of(*choices: str) -> Checker:
    """A string among ``choices`` (case-insensitive), returned in its canonical spelling."""
    canonical = {choice.lower(): choice for choice in choices}

    def check(path: str, value: Any) -> Any:
        if isinstance(value, str) and value.lower() in canonical:
            return canonical[value.lower()]
        shown = repr(value)[:60] if isinstance(value, str) else _type_name(value)
        raise invalid_parameter(
            path, f"The value {shown} of parameter {path} must be one of {', '.join(choices)}."
        )

    return check


def list_of_str(path: str, value: Any) -> Any:
    """A JSON array of strings."""
    if not isinstance(value, list):
        raise _wrong(path, "an array of strings", value)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _wrong(f"{path}[{index}]", "a string", item)
    return value


def dict_of_str(path: str, value: Any) -> Any:
    """A JSON object whose values are strings."""
    if not isinstance(value, dict):
        raise _wrong(path, "an object of strings", value)
    for key, item in value.items():
        if not isinstance(item, str):
            raise _wrong(f"{path}.{key}", "a string", item)
    return value


@dataclass(frozen=True, slots=True)
class Rule:
    """A field (dotted path), its checker, and whether a PUT must carry it."""

    path: str
    check: Checker
    required_on_put: bool = False


_RESILIENCY = "properties.resiliencyPolicy"
SCALE_SET_RULES: tuple[Rule, ...] = (
    Rule("location", is_str, required_on_put=True),
    Rule("tags", dict_of_str),
    Rule("zones", list_of_str),
    Rule("sku", is_object),
    Rule("sku.name", is_str),
    Rule("sku.tier", is_str),
    Rule("sku.capacity", int_between(0, 1000)),
    Rule("properties", is_object),
    Rule("properties.orchestrationMode", one_of("Uniform", "Flexible")),
    Rule("properties.overprovision", is_bool),
    Rule("properties.singlePlacementGroup", is_bool),
    Rule("properties.upgradePolicy", is_object),
    Rule("properties.upgradePolicy.mode", one_of("Automatic", "Manual", "Rolling")),
    Rule(_RESILIENCY, is_object),
    Rule(f"{_RESILIENCY}.resilientVMCreationPolicy", is_object),
    Rule(f"{_RESILIENCY}.resilientVMCreationPolicy.enabled", is_bool),
    Rule(f"{_RESILIENCY}.resilientVMDeletionPolicy", is_object),
    Rule(f"{_RESILIENCY}.resilientVMDeletionPolicy.enabled", is_bool),
    Rule("properties.virtualMachineProfile", is_object),
    Rule("properties.virtualMachineProfile.storageProfile", is_object),
    Rule("properties.virtualMachineProfile.storageProfile.osDisk", is_object),
    Rule(
        "properties.virtualMachineProfile.storageProfile.osDisk.osType", one_of("Linux", "Windows")
    ),
)


def _drop_nulls(value: Any) -> Any:
    """``value`` without ``null`` object members (iteratively, any depth)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in [k for k, v in item.items() if v is None]:
                del item[key]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


def _apply_rule(doc: dict[str, Any], rule: Rule, *, put: bool) -> None:
    """Check (and normalise in place) one field of ``doc``; parents were checked before."""
    *parents, leaf = rule.path.split(".")
    holder: Any = doc
    for key in parents:
        holder = holder.get(key, _MISSING)
        if holder is _MISSING:
            break
    value = _MISSING if holder is _MISSING else holder.get(leaf, _MISSING)
    if value is _MISSING:
        if put and rule.required_on_put:
            raise invalid_parameter(rule.path, f"Required parameter '{rule.path}' is missing.")
        return
    holder[leaf] = rule.check(rule.path, value)


def validate_scale_set_body(body: dict[str, Any], *, put: bool) -> dict[str, Any]:
    """A checked, normalised copy of a PUT (``put=True``) or PATCH scale set body.

    Read-only fields are removed. Raises ``ArmException`` 400 ``InvalidParameter``.
    """
    doc: dict[str, Any] = _drop_nulls(copy.deepcopy(body))
    for key in READ_ONLY_TOP:
        doc.pop(key, None)
    for rule in SCALE_SET_RULES:
        _apply_rule(doc, rule, put=put)
    properties = doc.get("properties")
    if isinstance(properties, dict):
        for key in READ_ONLY_PROPERTIES:
            properties.pop(key, None)
    return doc


def validate_instance_ids(body: dict[str, Any]) -> list[str]:
    """The ``instanceIds`` of a delete-instances body: a non-empty list of non-empty strings.

    Raises:
        ArmException: 400 ``InvalidParameter`` (target ``instanceIds``).
    """
    ids = body.get("instanceIds")
    if ids is None:
        raise invalid_parameter("instanceIds", "Required parameter 'instanceIds' is missing.")
    list_of_str("instanceIds", ids)
    if not ids:
        raise invalid_parameter("instanceIds", "The list of instanceIds must not be empty.")
    for index, item in enumerate(ids):
        check_instance = item.strip()
        if not check_instance:
            raise invalid_parameter(f"instanceIds[{index}]", "An instance id must not be empty.")
    return list(dict.fromkeys(ids))
