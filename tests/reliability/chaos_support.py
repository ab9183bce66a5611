"""Chaos machinery: a recording transport, seeded fault plans and the suite's counters.

The scenarios themselves live in ``chaos_scenario.py``; the invariants in
``chaos_invariants.py``. Everything here is deterministic for a given seed.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from chaos_invariants import Attempt

from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport import HttpRequest, HttpResponse
from fakevmss import FakeCompute

#: Per-attempt timeout of the scenarios' RetryPolicy (slow faults exceed it).
CLIENT_TIMEOUT = 60.0


@dataclass
class ChaosStats:
    """Counters the terminal summary prints (per process; merged across xdist workers)."""

    scenarios: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    invariants: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    requests_fuzzed: int = 0
    vms_judged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenarios": self.scenarios,
            "faults": dict(self.faults),
            "invariants": dict(self.invariants),
            "errors": dict(self.errors),
            "requests_fuzzed": self.requests_fuzzed,
            "vms_judged": self.vms_judged,
        }

    def merge(self, data: dict[str, Any]) -> None:
        self.scenarios += data["scenarios"]
        self.faults.update(data["faults"])
        self.invariants.update(data["invariants"])
        self.errors.update(data["errors"])
        self.requests_fuzzed += data["requests_fuzzed"]
        self.vms_judged += data["vms_judged"]


STATS = ChaosStats()


def _arm_code(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


class ChaosTransport:
    """Wraps the fake's transport and records every attempt's outcome (for the invariants)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.io_clock = getattr(inner, "io_clock", None)  # delays pass on the fake's clock
        self.attempts: list[Attempt] = []

    def _record(self, request: HttpRequest, outcome: str, **extra: Any) -> None:
        rid = request.headers.get("x-ms-client-request-id") or ""
        path = urlsplit(request.url).path
        self.attempts.append(Attempt(request.method, path, rid, outcome, **extra))

    async def send(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = await self.inner.send(request)
        except ServiceRequestError:
            self._record(request, "request_error")
            raise
        except ServiceResponseError:
            self._record(request, "response_error")
            raise
        except asyncio.CancelledError:
            self._record(request, "cancelled")
            raise
        code = _arm_code(response.body) if response.status_code >= 400 else None
        asked = any(h.lower().endswith("retry-after") for h in response.headers)
        self._record(request, "response", status=response.status_code, retry_after=asked, code=code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


METHODS = (None, "GET", "GET", "PUT", "DELETE", "POST", "PATCH")
PATHS = (None, None, "/virtualMachines", "/operations/", "/delete", "virtualMachineScaleSets/")


@dataclass
class FaultPlan:
    """The faults one scenario injected: HTTP fault handles (with their budget) and VM faults."""

    http: list[tuple[str, Any, int]] = field(default_factory=list)
    vm: list[str] = field(default_factory=list)

    def http_fired(self) -> Counter[str]:
        """How many times each HTTP fault kind fired."""
        fired: Counter[str] = Counter()
        for kind, handle, budget in self.http:
            fired[kind] += budget - handle.fault.times
        return fired


def _where(rng: random.Random) -> dict[str, Any]:
    return {"method": rng.choice(METHODS), "path": rng.choice(PATHS)}


def _http_fault(fake: FakeCompute, rng: random.Random, plan: FaultPlan) -> None:
    faults = fake.faults
    kind = rng.choice(("throttle", "error", "drop_before", "drop_after", "slow", "garbage"))
    times = rng.randint(1, 2)
    where = _where(rng)
    if kind == "throttle":
        handle = faults.throttle(retry_after=rng.choice((1, 5, 10, 30)), times=times, **where)
    elif kind == "error":
        status, code = rng.choice(((500, "InternalError"), (503, "ServiceUnavailable"),
                                   (502, "BadGateway"), (504, "GatewayTimeout")))  # fmt: skip
        handle = faults.http_error(status, code, times=times, **where)
    elif kind.startswith("drop"):
        handle = faults.drop_connection(after_send=kind == "drop_after", times=times, **where)
    elif kind == "slow":
        seconds = CLIENT_TIMEOUT + rng.choice((1, 30, 300))
        handle = faults.slow_response(seconds, times=times, **where)
    else:
        # None keeps the real status: a 2xx unless the request itself failed.
        status = rng.choice((None, None, 200, 502, 503, 504))
        handle = faults.garbage_body(mode=rng.choice(("truncated", "not_json")), status=status,
                                     times=times, **where)  # fmt: skip
        if status is None or status < 300:
            kind = "garbage_2xx"
    plan.http.append((kind, handle, times))


#: VM operations an operation fault may fail, and the codes it fails them with.
OPERATION_KINDS = ("start", "power_off", "deallocate", "restart", "reimage", "reimage_all",
                   "redeploy", "perform_maintenance", "update_instances")  # fmt: skip
OPERATION_CODES = ("InternalExecutionError", "AllocationFailed", "OSProvisioningTimeout")


def _vm_fault(fake: FakeCompute, rng: random.Random, plan: FaultPlan) -> None:
    faults = fake.faults
    roll = rng.random()
    if roll >= 0.8:
        code = rng.choice(OPERATION_CODES)
        faults.fail_operation(rng.choice(OPERATION_KINDS), code,
                              probability=rng.choice((0.3, 0.6, 1.0)),
                              attempts=rng.choice((1, 2, None)))  # fmt: skip
        plan.vm.append(code)
        return
    roll /= 0.8  # the create and delete faults keep their shares of what is left
    if roll < 0.4:
        code = rng.choice(("OSProvisioningTimeout", "VMStartTimeout"))
        faults.fail_create(code, probability=rng.choice((0.3, 0.6, 1.0)),
                           attempts=rng.choice((1, 2, 3, None)))  # fmt: skip
    elif roll < 0.5:
        code = "AllocationFailed"
        faults.fail_create(code, probability=0.2)
    else:
        code = rng.choice(("InternalExecutionError", "TransientFailure", "InternalOperationError"))
        faults.fail_delete(code, probability=rng.choice((0.2, 0.5, 1.0)),
                           attempts=rng.choice((1, 2, 4, 6, None)),
                           fallback_state=rng.choice(("Failed", "Running")))  # fmt: skip
    plan.vm.append(code)


def plan_faults(fake: FakeCompute, rng: random.Random) -> FaultPlan:
    """Inject 1-4 HTTP faults and 0-2 VM create/delete faults, drawn from ``rng``."""
    plan = FaultPlan()
    for _ in range(rng.randint(1, 4)):
        _http_fault(fake, rng, plan)
    for _ in range(rng.randint(0, 2)):
        _vm_fault(fake, rng, plan)
    return plan
