"""Fault plans: scripted or seeded failures of VM attempts and operations, and HTTP faults.

VM faults fail create and delete attempts and runs of VM operations (start, restart, reimage,
...); HTTP faults act on requests.

Each ``fail_*`` call turns its filters into a matcher (:mod:`fakevmss._matchers`, re-exported
here). Every ``fail_*``/HTTP method returns a :class:`FaultHandle` whose ``remove()`` takes
the fault out of the plan.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from fakevmss._errors import INTERNAL_SERVER_ERROR, TOO_MANY_REQUESTS
from fakevmss._matchers import (
    AttemptAtMost,
    AttemptContext,
    Chance,
    InstanceIn,
    Matcher,
    ScaleSetIs,
    check_code,
    check_number,
    check_times,
    vm_matcher,
)
from fakevmss._pattern import PathPattern
from fakevmss._vm_ops import VMOp

__all__ = [
    "AttemptAtMost",
    "AttemptContext",
    "Chance",
    "DeleteFailure",
    "FaultHandle",
    "Faults",
    "HttpFault",
    "InstanceIn",
    "Matcher",
    "ScaleSetIs",
]

FALLBACK_STATES = ("Failed", "Running")
GARBAGE_MODES = ("truncated", "not_json")


@dataclass(frozen=True, slots=True)
class DeleteFailure:
    """How a delete attempt fails: ARM code and the state the VM falls back to."""

    code: str
    fallback_state: str = "Failed"


@dataclass(slots=True, eq=False)
class _VMFault:
    kind: str  # "create", "delete" or a VM operation ("restart", ...)
    code: str
    matcher: Matcher
    fallback_state: str = "Failed"


@dataclass(slots=True, eq=False)
class HttpFault:
    """One scripted HTTP fault (what the wire layer acts on) and its remaining count."""

    kind: str
    method: str | None = None
    path: str | re.Pattern[str] | PathPattern | None = None
    times: int | None = 1
    status: int = 500
    code: str = INTERNAL_SERVER_ERROR
    message: str | None = None
    retry_after: float = 10.0
    after_send: bool = False
    seconds: float = 0.0
    mode: str = "truncated"

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request (method case-insensitive; path substring).

        A ``re.Pattern`` path is the caller's own code and runs Python's backtracking ``re``;
        a pattern sent over HTTP is a linear-time ``PathPattern`` (docs/fake/http.md).
        """
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return True
        if isinstance(self.path, str):
            return self.path.lower() in path.lower()
        if isinstance(self.path, PathPattern):
            return self.path.search(path)
        return self.path.search(path) is not None


class FaultHandle:
    """A fault added to a plan; ``remove()`` takes it out (idempotent)."""

    __slots__ = ("_faults", "fault")

    def __init__(self, faults: Faults, fault: _VMFault | HttpFault) -> None:
        self._faults = faults
        self.fault = fault

    def remove(self) -> None:
        """Take the fault out of the plan."""
        self._faults._remove(self.fault)

    def __repr__(self) -> str:
        return f"<FaultHandle {self.fault.kind} {getattr(self.fault, 'code', '')}>"


class Faults:
    """The fault plan of one fake: VM create/delete faults and HTTP faults.

    Args:
        rng: the fake's seeded random source; probability faults draw from it per attempt.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._vm: list[_VMFault] = []
        self._http: list[HttpFault] = []

    # -- VM create/delete faults ------------------------------------------------------

    def fail_create(
        self,
        code: str,
        *,
        scale_set: str | None = None,
        instances: Iterable[str] | None = None,
        attempts: int | None = None,
        probability: float | None = None,
    ) -> FaultHandle:
        """Fail matching VM create attempts with ``code`` (an omitted filter matches all).

        ``OSProvisioningTimeout``/``VMStartTimeout`` fail at the OS's provisioning timeout and
        are retried by Resilient create; other codes fail after the normal create duration.
        ``attempts=N`` fails each VM's first N attempts; ``probability`` draws per attempt.

        Raises:
            TypeError, ValueError: a bad argument.
        """
        matcher = vm_matcher(scale_set, instances, attempts, probability, self.rng)
        return self._add_vm(_VMFault("create", check_code(code), matcher))

    def fail_delete(
        self,
        code: str,
        *,
        scale_set: str | None = None,
        instances: Iterable[str] | None = None,
        attempts: int | None = None,
        probability: float | None = None,
        fallback_state: str = "Failed",
    ) -> FaultHandle:
        """Fail matching VM delete attempts with ``code``; the VM then shows ``fallback_state``.

        ``fallback_state`` shows while a resilient retry is due; a failure that ends the delete
        (policy disabled, or the last retry) leaves the VM ``Failed`` (see docs/fake/emulation.md).

        Raises:
            TypeError, ValueError: a bad argument (``fallback_state`` is Failed or Running).
        """
        if fallback_state not in FALLBACK_STATES:
            raise ValueError(f"fallback_state must be one of {FALLBACK_STATES}")
        matcher = vm_matcher(scale_set, instances, attempts, probability, self.rng)
        return self._add_vm(_VMFault("delete", check_code(code), matcher, fallback_state))

    def fail_operation(
        self,
        kind: str,
        code: str,
        *,
        scale_set: str | None = None,
        instances: Iterable[str] | None = None,
        attempts: int | None = None,
        probability: float | None = None,
    ) -> FaultHandle:
        """Fail matching runs of a VM operation with ``code`` (an omitted filter matches all).

        ``kind`` names the operation as the client method does without ``begin_``:
        ``start``, ``power_off``, ``deallocate``, ``restart``, ``reimage``, ``reimage_all``,
        ``redeploy``, ``perform_maintenance``, ``update_instances`` (manual and automatic
        model upgrades) or ``update`` (the VM's own PUT). The run fails at the end of its
        normal duration and the VM shows ``Failed`` with ``code``; ``attempts=N`` fails each
        VM's first N runs of that operation (see docs/fake/lifecycle.md).

        Raises:
            TypeError, ValueError: a bad argument (an unknown ``kind`` lists the known ones).
        """
        if not isinstance(kind, str):
            raise TypeError("kind must be a string")
        try:
            operation = VMOp(kind)
        except ValueError:
            known = ", ".join(op.value for op in VMOp)
            raise ValueError(f"unknown operation {kind!r}; one of {known}") from None
        matcher = vm_matcher(scale_set, instances, attempts, probability, self.rng)
        return self._add_vm(_VMFault(operation.value, check_code(code), matcher))

    def _add_vm(self, fault: _VMFault) -> FaultHandle:
        self._vm.append(fault)
        return FaultHandle(self, fault)

    def _first(self, kind: str, ctx: AttemptContext) -> _VMFault | None:
        for fault in self._vm:
            if fault.kind == kind and fault.matcher(ctx):
                return fault
        return None

    def create_outcome(self, scale_set: str, instance_id: str, attempt: int) -> str | None:
        """The error code of this create attempt, or None for success."""
        fault = self._first("create", AttemptContext(scale_set, instance_id, attempt))
        return None if fault is None else fault.code

    def delete_outcome(
        self, scale_set: str, instance_id: str, attempt: int
    ) -> DeleteFailure | None:
        """How this delete attempt fails, or None for success."""
        fault = self._first("delete", AttemptContext(scale_set, instance_id, attempt))
        return None if fault is None else DeleteFailure(fault.code, fault.fallback_state)

    def operation_outcome(
        self, kind: str, scale_set: str, instance_id: str, run: int
    ) -> str | None:
        """The error code of this run (1-based, per VM) of operation ``kind``, or None."""
        fault = self._first(kind, AttemptContext(scale_set, instance_id, run))
        return None if fault is None else fault.code

    # -- HTTP faults --------------------------------------------------------------------

    def _add_http(self, fault: HttpFault) -> FaultHandle:
        if fault.method is not None and not isinstance(fault.method, str):
            raise TypeError("method must be a string")
        if fault.path is not None and not isinstance(fault.path, str | re.Pattern | PathPattern):
            raise TypeError("path must be a string or a compiled regular expression")
        fault.times = check_times(fault.times)
        self._http.append(fault)
        return FaultHandle(self, fault)

    def http_error(
        self,
        status: int,
        code: str,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] | PathPattern | None = None,
        times: int | None = 1,
        message: str | None = None,
    ) -> FaultHandle:
        """Answer matching requests with an ARM error ``status``/``code`` instead of acting."""
        if not isinstance(status, int) or isinstance(status, bool):
            raise TypeError("status must be an int")
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        code = check_code(code)
        return self._add_http(
            HttpFault("error", method, path, times, status=status, code=code, message=message)
        )

    def throttle(
        self,
        *,
        retry_after: float = 10.0,
        method: str | None = None,
        path: str | re.Pattern[str] | PathPattern | None = None,
        times: int | None = 1,
    ) -> FaultHandle:
        """Answer matching requests 429 ``TooManyRequests`` with ``Retry-After``."""
        seconds = check_number("retry_after", retry_after)
        return self._add_http(
            HttpFault(
                "throttle",
                method,
                path,
                times,
                status=429,
                code=TOO_MANY_REQUESTS,
                retry_after=seconds,
            )
        )

    def drop_connection(
        self,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] | PathPattern | None = None,
        times: int | None = 1,
        after_send: bool = False,
    ) -> FaultHandle:
        """Drop the connection of matching requests (``after_send``: after acting on them)."""
        if not isinstance(after_send, bool):
            raise TypeError("after_send must be a bool")
        return self._add_http(HttpFault("drop", method, path, times, after_send=after_send))

    def slow_response(
        self,
        seconds: float,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] | PathPattern | None = None,
        times: int | None = 1,
    ) -> FaultHandle:
        """Delay matching responses by ``seconds`` of clock time."""
        delay = check_number("seconds", seconds)
        return self._add_http(HttpFault("slow", method, path, times, seconds=delay))

    def garbage_body(
        self,
        *,
        mode: str = "truncated",
        status: int | None = None,
        method: str | None = None,
        path: str | re.Pattern[str] | PathPattern | None = None,
        times: int | None = 1,
    ) -> FaultHandle:
        """Act on matching requests, then mangle the answer's body.

        ``mode="truncated"`` cuts the JSON body in half (an empty body becomes ``{``);
        ``"not_json"`` replaces it with an HTML page, as a proxy in front of ARM might.
        ``status`` replaces the real status (None keeps it).

        Raises:
            TypeError, ValueError: a bad argument.
        """
        if mode not in GARBAGE_MODES:
            raise ValueError(f"mode must be one of {GARBAGE_MODES}")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            raise TypeError("status must be an int or None")
        if status is not None and not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status (100-599)")
        fault = HttpFault("garbage", method, path, times, status=status or 0, mode=mode)
        return self._add_http(fault)

    def take_http_fault(self, method: str, path: str) -> HttpFault | None:
        """The first HTTP fault matching the request, consuming one of its ``times``."""
        for fault in self._http:
            if fault.matches(method, path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._http.remove(fault)
                return fault
        return None

    # -- plan management ----------------------------------------------------------------

    def _remove(self, fault: _VMFault | HttpFault) -> None:
        for plan in (self._vm, self._http):
            for index, item in enumerate(plan):
                if item is fault:
                    del plan[index]
                    return

    def in_force(self) -> list[_VMFault | HttpFault]:
        """The faults in the plan: VM faults then HTTP faults, each in the order added."""
        return [*self._vm, *self._http]

    def clear(self) -> None:
        """Remove every fault."""
        self._vm.clear()
        self._http.clear()

    def __len__(self) -> int:
        return len(self._vm) + len(self._http)

    def __repr__(self) -> str:
        return f"<Faults vm={len(self._vm)} http={len(self._http)}>"
