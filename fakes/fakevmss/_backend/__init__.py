"""The backend: the ARM operations on the fake's state, synchronous, raising ``ArmException``.

The wire layer parses a request, calls one method of one component, and serialises what it
returns. :class:`Backend` only builds the components over one shared
:class:`~fakevmss._backend._store.Store`:

- ``sets`` (``_scale_sets``): create or replace, update, read, list, delete, delete instances;
- ``vms`` (``_vms``): list, read, update (the VM's PUT), delete, attach;
- ``actions`` (``_actions``): the VM operations (power, reimage, redeploy, maintenance,
  manual upgrade) on a scale set's VMs or on one VM;
- ``upgrades`` (``_upgrades``): model changes and upgrade policies;
- ``ops`` (``_operations``): operation status and feature registrations.

The engines that move state on the clock are ``engine`` (Resilient create and delete,
``_lifecycle``) and ``vm_engine`` (VM operations, ``_vm_engine``).
"""

from __future__ import annotations

import random

from fakevmss._backend._actions import Actions
from fakevmss._backend._operations import Operations
from fakevmss._backend._scale_sets import ScaleSets
from fakevmss._backend._store import Store, deep_merge
from fakevmss._backend._upgrades import Upgrades
from fakevmss._backend._vms import VMs
from fakevmss._clock import RealClock, VirtualClock
from fakevmss._faults import Faults
from fakevmss._timings import Timings
from fakevmss._vm_engine import VMEngine

__all__ = ["Backend", "deep_merge"]


class Backend:
    """Scale sets, VMs, operations and features of one fake, and the engine that moves them.

    Args:
        clock: the fake's clock; timings: durations; faults: the fault plan.
        seed: seeds the ids (uuids, Flexible instance names) so runs repeat exactly.
        ids: the id stream to draw from instead (a reset backend continues its predecessor's,
            so an id handed out before a reset is never handed out again).
        features_registered: False makes enabling a policy require its feature registration.
        location: region of operation URLs.
    """

    def __init__(
        self,
        clock: VirtualClock | RealClock,
        timings: Timings,
        faults: Faults,
        *,
        seed: int = 0,
        ids: random.Random | None = None,
        features_registered: bool = True,
        location: str = "westus",
    ) -> None:
        stream = ids if ids is not None else random.Random(f"fakevmss-ids-{seed}")
        self.store = store = Store(
            clock,
            timings,
            faults,
            ids=stream,
            features_registered=features_registered,
            location=location,
        )
        self.vm_engine = vm_engine = VMEngine(store.engine, timings, faults)
        self.upgrades = Upgrades(store, vm_engine)
        self.sets = ScaleSets(store, self.upgrades)
        self.vms = VMs(store, vm_engine)
        self.actions = Actions(store, vm_engine)
        self.ops = Operations(store)
        # What inspection reads (FakeCompute, the live page, the timeline).
        self.clock = clock
        self.ids = stream
        self.engine = store.engine
        self.scale_sets = store.scale_sets
        self.removed = store.removed
        self.operations = store.operations
        self.features = store.features

    def close(self) -> None:
        """Stop the engine: events still on the clock become no-ops."""
        self.engine.stop()
