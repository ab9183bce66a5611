"""A loopback ARM look-alike serving realistic VM Scale Set payloads for the client benchmarks.

Routes (any subscription, resource group and scale set name; paths match case-insensitively):

- ``GET  .../virtualMachineScaleSets/{ss}/virtualMachines/{id}``: one full VM body
  (``$expand=instanceView`` adds an instance view).
- ``GET  .../virtualMachineScaleSets/{ss}/virtualMachines``: ``--vms`` VMs in pages of
  ``--page-size`` with an absolute ``nextLink`` (``$skiptoken``).
- ``PUT  .../virtualMachineScaleSets/{ss}``: 201, ``Creating``, ``Azure-AsyncOperation``,
  ``Retry-After: 0``; the operation answers ``InProgress`` twice, then ``Succeeded``.
- ``GET  .../virtualMachineScaleSets/{ss}``: the scale set, ``Succeeded``.

Every answer carries the rate-limit headers ARM and the Compute provider send (constant,
plentiful counts: the client reads and paces on them on every request, as it does against
Azure). Bodies follow the 2024-07-01 spec examples (VirtualMachineScaleSetVM_Get_WithUserData and
VirtualMachineScaleSetVM_List). Every body is serialised once at start-up so the server costs
as little as possible per request.

Run it alone: ``python benchmarks/arm_server.py --port 0`` prints ``listening on http://...``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from typing import Any

from aiohttp import web

SUBNET = (
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/"
    "virtualNetworks/vnet/subnets/default"
)
POLLS_IN_PROGRESS = 2


def vm_body(
    sub: str, rg: str, ss: str, instance_id: str, *, instance_view: bool = False
) -> dict[str, Any]:
    """A full scale set VM body shaped like the spec's Get/List examples."""
    base = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute"
    vm_path = f"{base}/virtualMachineScaleSets/{ss}/virtualMachines/{instance_id}"
    disk = f"{ss}_{ss}_{instance_id}_OsDisk_1_6d72b805e50e4de6830303c5055077fc"
    props: dict[str, Any] = {
        "latestModelApplied": True,
        "modelDefinitionApplied": "VirtualMachineScaleSet",
        "vmId": f"42af9fdf-b906-4ad7-9905-{int(instance_id):012d}",
        "timeCreated": "2024-07-01T10:00:00.0000000+00:00",
        "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
        "networkProfileConfiguration": {
            "networkInterfaceConfigurations": [
                {
                    "name": "nic-config",
                    "properties": {
                        "primary": True,
                        "enableAcceleratedNetworking": False,
                        "dnsSettings": {"dnsServers": []},
                        "enableIPForwarding": False,
                        "ipConfigurations": [
                            {
                                "name": "ip-config",
                                "properties": {
                                    "subnet": {"id": SUBNET.format(sub=sub, rg=rg)},
                                    "privateIPAddressVersion": "IPv4",
                                },
                            }
                        ],
                    },
                }
            ]
        },
        "storageProfile": {
            "imageReference": {
                "publisher": "Canonical",
                "offer": "0001-com-ubuntu-server-jammy",
                "sku": "22_04-lts-gen2",
                "version": "22.04.202407010",
                "exactVersion": "22.04.202407010",
            },
            "osDisk": {
                "osType": "Linux",
                "name": disk,
                "createOption": "FromImage",
                "caching": "ReadWrite",
                "managedDisk": {
                    "storageAccountType": "Premium_LRS",
                    "id": f"{base}/disks/{disk}",
                },
                "diskSizeGB": 30,
            },
            "dataDisks": [],
        },
        "osProfile": {
            "computerName": f"{ss}{int(instance_id):06d}",
            "adminUsername": "azureuser",
            "linuxConfiguration": {
                "disablePasswordAuthentication": True,
                "provisionVMAgent": True,
            },
            "secrets": [],
            "allowExtensionOperations": True,
            "requireGuestProvisionSignal": True,
        },
        "networkProfile": {
            "networkInterfaces": [{"id": f"{vm_path}/networkInterfaces/nic-config"}]
        },
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
        "provisioningState": "Succeeded",
        "resilientVMDeletionStatus": "Enabled",
    }
    if instance_view:
        props["instanceView"] = {
            "platformUpdateDomain": 0,
            "platformFaultDomain": 0,
            "computerName": props["osProfile"]["computerName"],
            "osName": "ubuntu",
            "osVersion": "22.04",
            "vmAgent": {"vmAgentVersion": "2.11.1.4", "statuses": []},
            "statuses": [
                {
                    "code": "ProvisioningState/succeeded",
                    "level": "Info",
                    "displayStatus": "Provisioning succeeded",
                },
                {"code": "PowerState/running", "level": "Info", "displayStatus": "VM running"},
            ],
        }
    return {
        "name": f"{ss}_{instance_id}",
        "id": vm_path,
        "type": "Microsoft.Compute/virtualMachines",
        "location": "westus",
        "tags": {"env": "bench"},
        "etag": '"1"',
        "instanceId": instance_id,
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard"},
        "properties": props,
    }


def scale_set_body(sub: str, rg: str, ss: str, state: str) -> dict[str, Any]:
    """A Uniform scale set body shaped like the spec's VirtualMachineScaleSet_Get example."""
    return {
        "name": ss,
        "id": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/"
        f"virtualMachineScaleSets/{ss}",
        "type": "Microsoft.Compute/virtualMachineScaleSets",
        "location": "westus",
        "tags": {"env": "bench"},
        "etag": '"1"',
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": 3},
        "properties": {
            "orchestrationMode": "Uniform",
            "singlePlacementGroup": False,
            "overprovision": False,
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "osProfile": {
                    "computerNamePrefix": ss,
                    "adminUsername": "azureuser",
                    "linuxConfiguration": {"disablePasswordAuthentication": True},
                },
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "0001-com-ubuntu-server-jammy",
                        "sku": "22_04-lts-gen2",
                        "version": "latest",
                    },
                    "osDisk": {
                        "osType": "Linux",
                        "createOption": "FromImage",
                        "caching": "ReadWrite",
                        "managedDisk": {"storageAccountType": "Premium_LRS"},
                    },
                },
                "networkProfile": {
                    "networkInterfaceConfigurations": [
                        {
                            "name": "nic-config",
                            "properties": {
                                "primary": True,
                                "ipConfigurations": [
                                    {
                                        "name": "ip-config",
                                        "properties": {
                                            "subnet": {"id": SUBNET.format(sub=sub, rg=rg)}
                                        },
                                    }
                                ],
                            },
                        }
                    ]
                },
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": True},
                "resilientVMDeletionPolicy": {"enabled": True},
            },
            "provisioningState": state,
            "uniqueId": "d1a6fa63-9bd5-4c6f-9f34-0b8f5f5b0a11",
            "timeCreated": "2024-07-01T10:00:00.0000000+00:00",
        },
    }


_ARM = "x-ms-ratelimit-remaining-subscription-"


def _limits(kind: str, *policies: tuple[str, int]) -> dict[str, str]:
    """The rate-limit headers of one answer: ARM's ``kind`` bucket and Compute policies."""
    headers = {f"{_ARM}{kind}": "249", f"{_ARM}global-{kind}": "3749"}
    if policies:
        headers["x-ms-ratelimit-remaining-resource"] = ",".join(
            f"Microsoft.Compute/{name};{left}" for name, left in policies
        )
        headers["x-ms-request-charge"] = "1"
    return headers


READ_VM = _limits("reads", ("LowCostGet3Min", 3999), ("LowCostGet30Min", 31998))
LIST_VMS = _limits("reads", ("HighCostGetVMScaleSet3Min", 189), ("HighCostGetVMScaleSet30Min", 899))
READ_SCALE_SET = _limits("reads", ("GetVMScaleSet3Min", 199), ("GetVMScaleSet30Min", 1299))
PUT_SCALE_SET = _limits("writes", ("PutVMScaleSet3Min", 239), ("PutVMScaleSet30Min", 1199))
READ_OPERATION = _limits("reads", ("GetOperation3Min", 2999), ("GetOperation30Min", 19999))


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    all_headers = {"x-ms-request-id": "bench", "Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=raw, headers=all_headers)


class ArmHandler:
    """Dispatches every request by its lower-cased path; caches bodies per (sub, rg, ss)."""

    def __init__(self, vms: int = 1000, page_size: int = 100, page_latency: float = 0.0) -> None:
        self.vms = vms
        self.page_size = page_size
        self.page_latency = page_latency
        self._cache: dict[tuple[str, ...], bytes] = {}
        self._polls: dict[str, int] = {}
        self._ids = itertools.count()

    def _cached(self, key: tuple[str, ...], make: Any) -> bytes:
        raw = self._cache.get(key)
        if raw is None:
            raw = self._cache[key] = json.dumps(make()).encode()
        return raw

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one request."""
        parts = request.path.strip("/").split("/")
        low = [p.lower() for p in parts]
        query = {k.lower(): v for k, v in request.query.items()}
        if len(low) == 8 and low[4] == "locations" and low[6] == "operations":
            return self._operation(parts[7])
        if len(low) < 8 or low[5] != "microsoft.compute" or low[6] != "virtualmachinescalesets":
            return _json({"error": {"code": "ResourceNotFound", "message": "no route"}}, 404)
        sub, rg, ss = parts[1], parts[3], parts[7]
        if len(low) == 8:
            return self._scale_set(request, sub, rg, ss)
        if len(low) == 9 and low[8] == "virtualmachines" and request.method == "GET":
            if self.page_latency:  # ARM takes tens to hundreds of ms a page
                await asyncio.sleep(self.page_latency)
            return self._page(request, sub, rg, ss, int(query.get("$skiptoken", "0")))
        if len(low) == 10 and low[8] == "virtualmachines" and request.method == "GET":
            view = query.get("$expand", "").lower() == "instanceview"
            key = ("vm", sub, rg, ss, parts[9], str(view))
            return _json(
                self._cached(key, lambda: vm_body(sub, rg, ss, parts[9], instance_view=view)),
                headers=READ_VM,
            )
        return _json({"error": {"code": "ResourceNotFound", "message": "no route"}}, 404)

    def _page(self, request: web.Request, sub: str, rg: str, ss: str, start: int) -> web.Response:
        key = ("page", sub, rg, ss, str(start))

        def make() -> dict[str, Any]:
            stop = min(start + self.page_size, self.vms)
            page: dict[str, Any] = {
                "value": [vm_body(sub, rg, ss, str(i)) for i in range(start, stop)]
            }
            if stop < self.vms:
                api = request.query.get("api-version", "2024-07-01")
                page["nextLink"] = (
                    f"{request.scheme}://{request.host}{request.path}"
                    f"?api-version={api}&$skiptoken={stop}"
                )
            return page

        return _json(self._cached(key, make), headers=LIST_VMS)

    def _scale_set(self, request: web.Request, sub: str, rg: str, ss: str) -> web.Response:
        if request.method == "GET":
            return _json(
                self._cached(("ss", sub, rg, ss), lambda: scale_set_body(sub, rg, ss, "Succeeded")),
                headers=READ_SCALE_SET,
            )
        if request.method != "PUT":
            return _json({"error": {"code": "OperationNotAllowed", "message": request.method}}, 405)
        op_id = f"op-{next(self._ids)}"
        self._polls[op_id] = 0
        api = request.query.get("api-version", "2024-07-01")
        status_url = (
            f"{request.scheme}://{request.host}/subscriptions/{sub}/providers/Microsoft.Compute/"
            f"locations/westus/operations/{op_id}?api-version={api}"
        )
        body = self._cached(
            ("ss-new", sub, rg, ss), lambda: scale_set_body(sub, rg, ss, "Creating")
        )
        headers = {"Azure-AsyncOperation": status_url, "Retry-After": "0", **PUT_SCALE_SET}
        return _json(body, 201, headers)

    def _operation(self, op_id: str) -> web.Response:
        polls = self._polls.get(op_id)
        if polls is None:
            return _json({"error": {"code": "ResourceNotFound", "message": op_id}}, 404)
        self._polls[op_id] = polls + 1
        done = polls >= POLLS_IN_PROGRESS
        if done:
            del self._polls[op_id]
        body = {
            "name": op_id,
            "status": "Succeeded" if done else "InProgress",
            "startTime": "2024-07-01T10:00:00.0000000+00:00",
        }
        return _json(body, 200, {"Retry-After": "0", **READ_OPERATION})


class ArmServer:
    """An in-process loopback server: ``async with ArmServer() as base_url: ...``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        vms: int = 1000,
        page_size: int = 100,
        page_latency: float = 0.0,
    ) -> None:
        self.host, self.port = host, port
        self.handler = ArmHandler(vms, page_size, page_latency)
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` once started."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        """Bind, start serving and return the base URL."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handler.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.base_url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> str:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def _serve(args: argparse.Namespace) -> None:
    server = ArmServer(
        args.host,
        args.port,
        vms=args.vms,
        page_size=args.page_size,
        page_latency=args.page_latency_ms / 1000,
    )
    url = await server.start()
    print(f"listening on {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--vms", type=int, default=1000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument(
        "--page-latency-ms", type=float, default=0.0, help="wait this long before each list page"
    )
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
