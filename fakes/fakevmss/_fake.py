"""FakeCompute: the fake's facade over clock, faults, backend and wire app, plus inspection.

Inspection: live VM and scale set views (``_views``), a JSON snapshot, a readable timeline.
"""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakevmss._backend import Backend
from fakevmss._clock import RealClock, VirtualClock
from fakevmss._faults import Faults
from fakevmss._http import RequestRecord, WireRequest, WireResponse
from fakevmss._limits import DEFAULT_LIMITS, Limits, RequestLimiter
from fakevmss._state import ScaleSet
from fakevmss._timings import Timings
from fakevmss._views import ScaleSetView, VMView

if TYPE_CHECKING:
    from fakevmss._wire import WireApp

__all__ = ["DEFAULT_SUBSCRIPTION", "DEFAULT_TIMINGS", "FakeCompute", "ScaleSetView", "VMView"]


DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
#: The default ``timings`` (``timings=Timings()``); frozen, so sharing it is safe.
DEFAULT_TIMINGS = Timings()


class FakeCompute:
    """An in-process fake of the Azure VM Scale Set API with Resilient create and delete.

    Args:
        clock: a ``VirtualClock`` (default, auto-advancing) or ``RealClock``.
        seed: seeds fault probabilities and ids; a failing test should print it.
        subscription_id: the default subscription of the Python helpers and operation URLs.
        location: the default location of the Python helpers and operation URLs.
        timings: durations of the emulation (see docs/fake/emulation.md).
        api_versions: the api-versions the wire layer serves.
        features_registered: False makes enabling a policy need a feature registration first.
        page_size: how many items one page of a list holds.
        lenient_api_versions: serve any well-formed later api-version as ``2024-07-01``.
        strict_bodies: refuse request bodies with members the api-version's published schema
            lacks, as Azure does (400 ``InvalidRequestContent``). False keeps such members and
            echoes them back: a deliberate deviation from Azure for callers who send newer
            fields on purpose (see docs/fake/strictness.md).

    Example::

        fake = FakeCompute(seed=7)
        fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", attempts=2)
        fake.create_scale_set("rg", "web", capacity=1)
        fake.clock.advance(1800)
        assert fake.vm("rg", "web", "0").create_attempts == 3
    """

    def __init__(
        self,
        *,
        clock: VirtualClock | RealClock | None = None,
        seed: int = 0,
        subscription_id: str = DEFAULT_SUBSCRIPTION,
        location: str = "westus",
        timings: Timings | None = DEFAULT_TIMINGS,
        api_versions: tuple[str, ...] = ("2023-07-01", "2024-07-01"),
        features_registered: bool = True,
        page_size: int = 100,
        lenient_api_versions: bool = False,
        strict_bodies: bool = True,
        limits: Limits | None = DEFAULT_LIMITS,
    ) -> None:
        self.clock = clock if clock is not None else VirtualClock()
        self.seed = seed
        self.subscription_id = subscription_id
        self.location = location
        self.timings = timings if timings is not None else Timings()
        self.api_versions = tuple(api_versions)
        self.features_registered = features_registered
        self.page_size = page_size
        self.lenient_api_versions = lenient_api_versions
        self.strict_bodies = strict_bodies
        self.faults = Faults(random.Random(seed))
        #: Held while a request or an engine event touches state: one fake, many threads.
        self.lock = threading.RLock()
        self.requests: list[RequestRecord] = []
        self.backend = self._new_backend()
        self._wire: WireApp | None = None
        self.limits: RequestLimiter | None = None
        self.set_limits(limits)

    def set_limits(self, limits: Limits | None) -> None:
        """Apply ``limits`` from now on, with full buckets and empty windows (None: off).

        Raises:
            TypeError: ``limits`` is neither a ``Limits`` nor None.
        """
        if limits is not None and not isinstance(limits, Limits):
            raise TypeError(f"limits must be a Limits or None, not {type(limits).__name__}")
        with self.lock:
            self.limits = None if limits is None else RequestLimiter(limits, self.clock)
            if self._wire is not None:
                self._wire.limiter = self.limits

    def _new_backend(self, ids: random.Random | None = None) -> Backend:
        backend = Backend(
            self.clock,
            self.timings,
            self.faults,
            seed=self.seed,
            ids=ids,
            features_registered=self.features_registered,
            location=self.location,
        )
        backend.engine.lock = self.lock
        return backend

    # -- the wire and its adapters --------------------------------------------------------

    def _wire_app(self) -> WireApp:
        if self._wire is None:
            from fakevmss._wire import WireApp

            self._wire = WireApp(
                self.backend,
                clock=self.clock,
                faults=self.faults,
                records=self.requests,
                api_versions=self.api_versions,
                lenient_api_versions=self.lenient_api_versions,
                page_size=self.page_size,
                location=self.location,
                lro_retry_after=self.timings.lro_retry_after,
                lock=self.lock,
                strict_bodies=self.strict_bodies,
                limiter=self.limits,
            )
        return self._wire

    async def handle(self, request: WireRequest) -> WireResponse:
        """Answer one ARM request (raises ``DroppedConnection`` for an injected drop)."""
        return await self._wire_app().handle(request)

    def transport(self) -> Any:
        """An ``aiovmss`` transport that talks to this fake in-process (no sockets)."""
        from fakevmss.adapters.aiovmss import FakeTransport

        return FakeTransport(self)

    def respx_router(self, **kwargs: Any) -> Any:
        """A respx router serving this fake to httpx code."""
        from fakevmss.adapters.respx import respx_router

        return respx_router(self, **kwargs)

    def azure_core_transport(self) -> Any:
        """An azure-core async transport for the official ``azure-mgmt-compute`` client."""
        from fakevmss.adapters.azure_core import FakeAzureCoreTransport

        return FakeAzureCoreTransport(self)

    def aiohttp_app(self, **kwargs: Any) -> Any:
        """An aiohttp application serving this fake over real HTTP (plus ``/_fake/``)."""
        from fakevmss.adapters.server import aiohttp_app

        return aiohttp_app(self, **kwargs)

    # -- Python-level setup ---------------------------------------------------------------

    def create_scale_set(
        self,
        rg: str,
        name: str,
        *,
        capacity: int = 2,
        os_type: str = "Linux",
        orchestration_mode: str = "Uniform",
        creation_policy: bool = True,
        deletion_policy: bool = True,
        tags: dict[str, str] | None = None,
        subscription: str | None = None,
    ) -> ScaleSetView:
        """Create (or update) a scale set through the backend, as a PUT would."""
        doc: dict[str, Any] = {
            "location": self.location,
            "tags": dict(tags or {}),
            "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": capacity},
            "properties": {
                "orchestrationMode": orchestration_mode,
                "upgradePolicy": {"mode": "Manual"},
                "virtualMachineProfile": {
                    "storageProfile": {"osDisk": {"osType": os_type, "createOption": "FromImage"}}
                },
                "resiliencyPolicy": {
                    "resilientVMCreationPolicy": {"enabled": creation_policy},
                    "resilientVMDeletionPolicy": {"enabled": deletion_policy},
                },
            },
        }
        sub = subscription or self.subscription_id
        scale_set, _, _ = self.backend.sets.put(sub, rg, name, doc)
        return ScaleSetView(scale_set)

    def attach_vm(self, rg: str, name: str, *, subscription: str | None = None) -> VMView:
        """Attach one VM to a Flexible scale set (a plain create: Resilient create never runs)."""
        sub = subscription or self.subscription_id
        return VMView(self.backend.vms.attach(sub, rg, name))

    # -- inspection -----------------------------------------------------------------------

    def _scale_set_obj(self, rg: str, name: str, subscription: str | None) -> ScaleSet:
        key = ((subscription or self.subscription_id).lower(), rg.lower(), name.lower())
        found = self.backend.scale_sets.get(key)
        if found is None:
            removed = [s for s in self.backend.removed if s.key == key]
            if not removed:
                raise KeyError(f"no scale set {rg}/{name}")
            found = removed[-1]
        return found

    def scale_set(self, rg: str, name: str, *, subscription: str | None = None) -> ScaleSetView:
        """A live view of a scale set (also after it was deleted).

        Raises:
            KeyError: no such scale set was ever created.
        """
        return ScaleSetView(self._scale_set_obj(rg, name, subscription))

    def vm(
        self, rg: str, name: str, instance_id: str, *, subscription: str | None = None
    ) -> VMView:
        """A live view of a VM (also after it was deleted).

        Raises:
            KeyError: no such VM was ever created.
        """
        scale_set = self._scale_set_obj(rg, name, subscription)
        key = instance_id.lower()
        vm = scale_set.vms.get(key) or scale_set.graveyard.get(key)
        if vm is None:
            raise KeyError(f"no VM {instance_id} in scale set {rg}/{name}")
        return VMView(vm)

    def snapshot(self) -> dict[str, Any]:
        """Everything the fake holds, JSON-able (served as ``GET /_fake/state``)."""
        live = list(self.backend.scale_sets.values())
        return {
            "time": self.clock.now(),
            "utcnow": self.clock.utcnow().isoformat(),
            "seed": self.seed,
            "scale_sets": [s.as_dict() for s in live],
            "deleted_scale_sets": [s.as_dict() for s in self.backend.removed],
            "features": [f.as_dict() for f in self.backend.features.all()],
            "requests": len(self.requests),
        }

    def _chosen(self, rg: str | None, name: str | None) -> list[ScaleSet]:
        """Live then deleted scale sets, filtered by resource group and name (any case)."""
        every = [*self.backend.scale_sets.values(), *self.backend.removed]
        return [
            s
            for s in every
            if (rg is None or s.resource_group.lower() == rg.lower())
            and (name is None or s.name.lower() == name.lower())
        ]

    def timeline(self, rg: str | None = None, name: str | None = None) -> str:
        """A readable per-VM timeline (for failing-test reports), filtered by rg and name."""
        from fakevmss._timeline import render_timeline

        throttled = list(self.limits.throttled) if self.limits is not None else []
        return render_timeline(self._chosen(rg, name), seed=self.seed, throttled=throttled)

    def timeline_html(
        self, path: str | os.PathLike[str], rg: str | None = None, name: str | None = None
    ) -> Path:
        """Write the timeline as one standalone HTML file (inline SVG, no script); return it.

        Each VM is a lane of attempt bars coloured by outcome with their error codes, retry
        rounds and a "now" line, as on the served ``/_fake/ui`` page; filtered by rg and name.
        """
        from fakevmss._ui._html import render_html

        with self.lock:
            text = render_html(self, self._chosen(rg, name))
        target = Path(path)
        target.write_text(text, encoding="utf-8")
        return target

    def reset(self) -> None:
        """Forget every resource, operation and request record; keep the clock and faults.

        The limits stay as set, with full buckets and empty windows.
        """
        with self.lock:
            self.set_limits(None if self.limits is None else self.limits.settings)
            self.backend.close()
            self.backend = self._new_backend(self.backend.ids)
            self.requests.clear()
            self._wire = None

    def __repr__(self) -> str:
        return (
            f"<FakeCompute seed={self.seed} scale_sets={len(self.backend.scale_sets)} "
            f"clock={self.clock!r}>"
        )
