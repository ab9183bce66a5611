"""Handlers of the VM operations: the POST actions on a scale set and on one VM.

The actions are data: one handler factory makes the handler of each entry of the endpoint
registry from the operation it starts and the query flags it reads. Every action answers 202
with ``Azure-AsyncOperation`` and ``Location`` and ends without a result (docs/fake/lifecycle.md).
"""

from __future__ import annotations

from typing import Any

from fakevmss._errors import not_allowed
from fakevmss._http import WireResponse
from fakevmss._vm_ops import VMOp
from fakevmss._wire._call import Call, Env, Handler, json_response
from fakevmss._wire._validate import parse_bool_flag, validate_instance_ids

__all__ = [
    "approve_rolling_upgrade",
    "optional_instance_ids",
    "scale_set_action",
    "skip_shutdown",
    "vm_action",
]


def optional_instance_ids(body: dict[str, Any] | None) -> list[str] | None:
    """``instanceIds`` of an action's body; None (every VM) when the body or the list is absent.

    Raises:
        ArmException: 400 ``InvalidParameter`` for an empty list or an empty id.
    """
    if body is None or body.get("instanceIds") is None:
        return None
    return validate_instance_ids(body)


def skip_shutdown(call: Call) -> bool:
    """The ``skipShutdown`` flag of a power-off (400 for a value other than true or false)."""
    return parse_bool_flag("skipShutdown", call.arg("skipShutdown"))


def _refuse_hibernation(call: Call) -> None:
    if parse_bool_flag("hibernate", call.arg("hibernate")):
        raise not_allowed(
            "Hibernation is not emulated by the fake (a scale set needs "
            "additionalCapabilities.hibernationEnabled, which it does not model); "
            "deallocate without hibernate=true.",
            status=400,
            target="hibernate",
        )


def _options(op_kind: VMOp, call: Call) -> bool:
    """Check the action's query flags; return ``skip_shutdown``."""
    if op_kind is VMOp.DEALLOCATE:
        _refuse_hibernation(call)
    return skip_shutdown(call) if op_kind is VMOp.POWER_OFF else False


def scale_set_action(op_kind: VMOp, *, ids_required: bool = False) -> Handler:
    """The handler of ``POST S/{name}/<action>`` with an optional ``instanceIds`` body."""

    def handle(env: Env, call: Call) -> WireResponse:
        if ids_required:
            ids: list[str] | None = validate_instance_ids(call.body or {})
        else:
            ids = optional_instance_ids(call.body)
        skip = _options(op_kind, call)
        operation = env.backend.actions.on_scale_set(op_kind, *call.key, ids, skip_shutdown=skip)
        return json_response(202, None, env.lro_headers(call, operation))

    handle.__name__ = handle.__qualname__ = f"scale_set_{op_kind.value}"
    handle.__doc__ = f"``POST S/{{name}}``: ``{op_kind.value}`` on some or all VMs (202)."
    return handle


def vm_action(op_kind: VMOp) -> Handler:
    """The handler of ``POST S/{name}/virtualMachines/{id}/<action>``."""

    def handle(env: Env, call: Call) -> WireResponse:
        skip = _options(op_kind, call)
        operation = env.backend.actions.on_vm(
            op_kind, *call.key, call.instance_id, skip_shutdown=skip
        )
        return json_response(202, None, env.lro_headers(call, operation))

    handle.__name__ = handle.__qualname__ = f"vm_{op_kind.value}"
    handle.__doc__ = f"``POST .../virtualMachines/{{id}}``: ``{op_kind.value}`` on one VM (202)."
    return handle


def approve_rolling_upgrade(env: Env, call: Call) -> WireResponse:
    """``POST .../approveRollingUpgrade`` of a scale set or a VM (2024-07-01): always 400."""
    optional_instance_ids(call.body)
    if "instanceId" in call.params:
        env.backend.vms.get(*call.key, call.instance_id)  # 404 for an unknown VM first
    env.backend.upgrades.approve_rolling_upgrade(*call.key)
