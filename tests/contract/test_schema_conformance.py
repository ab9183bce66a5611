"""What the fake stores and answers, against the published schema of each api-version.

- A PUT of a scale set with every writable member comes back from GET exactly as sent, minus
  the secrets, plus the read-only members the service adds, at 2024-07-01 and (cut down to
  what that version has) at 2023-07-01.
- Every request example copied from Microsoft's spec repository (tests/fixtures/spec_examples;
  the spec copies themselves carry no inline examples, only references to example files) is
  accepted at its api-version, and every example response fits the response schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from full_body import FULL_BODY, full_body, without_secrets
from schema_support import problems_of, prune, response_problems

from fakevmss import FakeCompute
from fakevmss._http import WireRequest, WireResponse
from fakevmss._schema import ApiSchema, schema_for
from fakevmss._wire._schema_check import BodyChecker

RG = "rg"
EXAMPLES = Path(__file__).parent.parent / "fixtures" / "spec_examples"
#: Example file name prefixes and the operation their request body is for.
REQUESTS = {
    "VirtualMachineScaleSet_Create": "VirtualMachineScaleSets_CreateOrUpdate",
    "VirtualMachineScaleSet_Update": "VirtualMachineScaleSets_Update",
    "VirtualMachineScaleSet_DeleteInstances": "VirtualMachineScaleSets_DeleteInstances",
}
RESPONSES = {
    "VirtualMachineScaleSetVM_List": "VirtualMachineScaleSetVMs_List",
    "VirtualMachineScaleSetVM_Get": "VirtualMachineScaleSetVMs_Get",
    "VirtualMachineScaleSetVM_Delete": "VirtualMachineScaleSetVMs_Delete",
    "VirtualMachineScaleSet_List": "VirtualMachineScaleSets_List",
    "VirtualMachineScaleSet_Get": "VirtualMachineScaleSets_Get",
    "VirtualMachineScaleSet_Delete_": "VirtualMachineScaleSets_Delete",
    **REQUESTS,
}


def path_of(fake: FakeCompute, name: str) -> str:
    return (
        f"/subscriptions/{fake.subscription_id}/resourceGroups/{RG}"
        f"/providers/Microsoft.Compute/virtualMachineScaleSets/{name}"
    )


async def send(
    fake: FakeCompute, method: str, path: str, api: str, body: Any = None, query: str = ""
) -> WireResponse:
    url = f"https://management.azure.com{path}?api-version={api}{query}"
    raw = b"" if body is None else json.dumps(body).encode()
    return await fake.handle(WireRequest(method, url, {"Authorization": "Bearer t"}, raw))


def without_read_only(schema: ApiSchema, kind: str, value: Any) -> Any:
    """``value`` without the members ``kind`` marks read-only (what the service adds)."""
    kind = kind.split(" ")[0]
    if kind.startswith("#") and isinstance(value, dict):
        members = schema.definitions[kind[1:]]
        return {
            k: without_read_only(schema, members[k].type, v)
            for k, v in value.items()
            if not members[k].read_only
        }
    if kind.startswith("[") and isinstance(value, list):
        return [without_read_only(schema, kind[1:-1], v) for v in value]
    if kind.startswith("{") and isinstance(value, dict):
        return {k: without_read_only(schema, kind[1:-1], v) for k, v in value.items()}
    return value


def test_the_full_body_has_every_writable_member() -> None:
    schema = schema_for("2024-07-01")
    assert schema is not None
    properties = FULL_BODY["properties"]
    for name, value in (
        ("VirtualMachineScaleSet", FULL_BODY),
        ("VirtualMachineScaleSetProperties", properties),
        ("VirtualMachineScaleSetVMProfile", properties["virtualMachineProfile"]),
    ):
        writable = {k for k, m in schema.definitions[name].items() if not m.read_only}
        assert writable == set(value), name


@pytest.mark.parametrize("api", ["2024-07-01", "2023-07-01"])
async def test_full_body_round_trips(api: str) -> None:
    schema = schema_for(api)
    assert schema is not None
    sent = prune(schema, "#VirtualMachineScaleSet", full_body())
    assert (sent == FULL_BODY) is (api == "2024-07-01")  # 2023-07-01 lacks some members
    fake = FakeCompute()
    created = await send(fake, "PUT", path_of(fake, "web"), api, sent)
    assert created.status == 201, created.body
    fake.clock.advance(3600)
    for query, user_data in (("", False), ("&$expand=userData", True)):
        reply = await send(fake, "GET", path_of(fake, "web"), api, query=query)
        shown = json.loads(reply.body)
        assert without_read_only(schema, "#VirtualMachineScaleSet", shown) == without_secrets(
            sent, user_data=user_data
        )
        added = {"id", "name", "type"} | ({"etag"} if api == "2024-07-01" else set())
        assert added <= set(shown)
        assert {"provisioningState", "uniqueId", "timeCreated"} <= set(shown["properties"])
        assert shown["properties"]["provisioningState"] == "Succeeded"


async def test_a_2024_body_at_2023_names_the_first_member_2023_lacks() -> None:
    fake = FakeCompute()
    reply = await send(fake, "PUT", path_of(fake, "web"), "2023-07-01", full_body())
    error = json.loads(reply.body)["error"]
    assert (reply.status, error["code"]) == (400, "InvalidRequestContent")
    assert "'AutomaticOSUpgradePolicy'" in error["message"]
    assert (
        error["target"]
        == "properties.upgradePolicy.automaticOSUpgradePolicy.osRollingUpgradeDeferral"
    )


def examples() -> list[Path]:
    found = sorted(EXAMPLES.glob("*/*.json"))
    assert found, EXAMPLES
    return found


def request_examples() -> list[Path]:
    return [p for p in examples() if p.name.startswith(tuple(REQUESTS))]


def operation_of(path: Path, table: dict[str, str]) -> str:
    return next(op for prefix, op in table.items() if path.name.startswith(prefix))


def request_body(example: dict[str, Any]) -> dict[str, Any]:
    bodies = [v for v in example["parameters"].values() if isinstance(v, dict)]
    assert len(bodies) == 1
    return bodies[0]


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", request_examples(), ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_every_request_example_is_accepted_at_its_api_version(path: Path) -> None:
    api, example = path.parent.name, load(path)
    operation, body = operation_of(path, REQUESTS), request_body(example)
    raw = json.dumps(body).encode()
    BodyChecker().check(operation, api, json.loads(raw), raw)  # raises if refused
    fake = FakeCompute()
    if operation == "VirtualMachineScaleSets_DeleteInstances":
        fake.create_scale_set(RG, "web", capacity=len(body["instanceIds"]))
        body = {"instanceIds": [str(i) for i in range(len(body["instanceIds"]))]}
        reply = await send(fake, "POST", path_of(fake, "web") + "/delete", api, body)
        assert reply.status == 202, reply.body
    elif operation == "VirtualMachineScaleSets_Update":
        fake.create_scale_set(RG, "web", capacity=1)
        reply = await send(fake, "PATCH", path_of(fake, "web"), api, body)
        assert reply.status == 200, reply.body
    else:
        reply = await send(fake, "PUT", path_of(fake, "web"), api, body)
        assert reply.status == 201, reply.body


@pytest.mark.parametrize("path", examples(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_response_fits_the_response_schema(path: Path) -> None:
    api, example = path.parent.name, json.loads(path.read_text(encoding="utf-8"))
    # The 2025-04-01 examples show what the Resilient page documents at 2024-07-01.
    schema = schema_for(api) or schema_for("2024-07-01")
    assert schema is not None
    operation = schema.operations[operation_of(path, RESPONSES)]
    checked = 0
    for status, response in example["responses"].items():
        if "body" in response:
            kind = operation.responses[status]
            assert kind is not None, status
            assert response_problems(schema, kind, response["body"], secrets=True) == []
            checked += 1
    assert checked or all(op is None for op in operation.responses.values() if op != "#CloudError")


def test_the_response_checker_finds_what_departs_from_the_schema() -> None:
    url = "https://management.azure.com" + path_of(FakeCompute(), "web") + "?api-version=2024-07-01"
    body = {
        "name": "web",
        "bogus": 1,
        "properties": {
            "upgradePolicy": {"mode": "Sometimes"},
            "virtualMachineProfile": {"osProfile": {"adminPassword": "shown"}},
            "overprovision": "yes",
        },
    }
    response = WireResponse(200, {}, json.dumps(body).encode())
    problems = problems_of(WireRequest("GET", url), response)
    assert len(problems) == 4, problems
    for expected in ("bogus", "Sometimes", "adminPassword", "overprovision"):
        assert any(expected in problem for problem in problems), expected
    assert problems_of(WireRequest("GET", url), WireResponse(200, {}, b"{")) != []
