"""Helpers for the lifecycle tests: a ready scale set, actions, instance views, LRO status."""

from __future__ import annotations

from typing import Any

from wire_support import Reply, S, Wire, scale_set_body

#: Virtual seconds after which a fresh Linux scale set's VMs are all created (90 s each).
READY = 100.0


async def ready(wire: Wire, name: str = "web", capacity: int = 3, **body: Any) -> None:
    """Create a scale set and let its VMs be created."""
    reply = await wire.put(name, scale_set_body(capacity, **body))
    assert reply.status == 201, reply.json
    wire.fake.clock.advance(READY)


async def action(
    wire: Wire,
    segment: str,
    ids: list[str] | None = None,
    *,
    name: str = "web",
    vm: str | None = None,
    body: Any = None,
    **kwargs: Any,
) -> Reply:
    """``POST`` a scale set action (``ids`` in the body) or, with ``vm``, a VM action."""
    if vm is not None:
        return await wire.send("POST", f"{S}/{name}/virtualMachines/{vm}/{segment}", body, **kwargs)
    payload = body if body is not None else (None if ids is None else {"instanceIds": ids})
    return await wire.send("POST", f"{S}/{name}/{segment}", payload, **kwargs)


async def statuses(wire: Wire, vm: str, name: str = "web") -> tuple[str, str]:
    """The VM's ``(ProvisioningState/..., PowerState/...)`` codes from its instance view."""
    reply = await wire.send("GET", f"{S}/{name}/virtualMachines/{vm}/instanceView")
    assert reply.status == 200, reply.json
    codes = [status["code"] for status in reply.json["statuses"]]
    assert len(codes) == 2, codes
    return codes[0], codes[1]


async def vm_body(wire: Wire, vm: str, name: str = "web", **kwargs: Any) -> dict[str, Any]:
    """GET one VM."""
    reply = await wire.send("GET", f"{S}/{name}/virtualMachines/{vm}", **kwargs)
    assert reply.status == 200, reply.json
    body: dict[str, Any] = reply.json
    return body


async def operation(wire: Wire, reply: Reply) -> dict[str, Any]:
    """The Azure-AsyncOperation status of the LRO ``reply`` started."""
    url = reply.header("Azure-AsyncOperation")
    assert url is not None, reply.json
    status = await wire.follow(url)
    body: dict[str, Any] = status.json
    return body


async def summary(wire: Wire, name: str = "web") -> dict[str, int]:
    """The scale set instance view's ``statusesSummary`` as ``{code: count}``."""
    reply = await wire.send("GET", f"{S}/{name}/instanceView")
    assert reply.status == 200, reply.json
    return {item["code"]: item["count"] for item in reply.json["virtualMachine"]["statusesSummary"]}
