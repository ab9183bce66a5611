"""``python -m fakevmss``: argument parsing, loopback detection, and a real serve subprocess."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from fakevmss._cli import build_parser, is_loopback, main

START_TIMEOUT = 30.0  # generous: a cold interpreter on a busy CI machine


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_serve_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.speed, args.seed) == ("127.0.0.1", 0, 60.0, 0)
    assert not args.virtual_clock
    assert not args.lenient_api_versions
    assert args.faults is None


def test_allow_host_is_repeatable_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["serve"]).allow_host == []
    args = build_parser().parse_args(["serve", "--allow-host", "fake", "--allow-host", "b:9000"])
    assert args.allow_host == ["fake", "b:9000"]
    with pytest.raises(SystemExit) as caught:
        main(["serve", "--allow-host", "*.example"])
    assert caught.value.code == 2
    assert "no wildcards" in capsys.readouterr().err


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    assert "serve" in capsys.readouterr().out


def test_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2


def test_bad_faults_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"kind": "nope"}]))
    assert main(["serve", "--virtual-clock", "--faults", str(faults)]) == 2
    assert "kind" in capsys.readouterr().err


def test_faults_file_must_be_a_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"kind": "throttle"}))
    assert main(["serve", "--faults", str(faults)]) == 2
    assert "list" in capsys.readouterr().err


class Server:
    """A ``python -m fakevmss serve`` subprocess and the URL it printed."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url


async def start_server(*args: str) -> Server:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fakevmss",
        "serve",
        "--port",
        "0",
        *args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    text = line.decode().strip()
    assert text.startswith("listening on http://127.0.0.1:"), text
    return Server(process, text.removeprefix("listening on "))


async def stop_server(server: Server) -> tuple[int, bytes]:
    if server.process.returncode is None:
        server.process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(server.process.communicate(), START_TIMEOUT)
    assert server.process.returncode is not None
    return server.process.returncode, stderr


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    faults = tmp_path / "faults.json"
    boot_fault = {"kind": "http_error", "status": 503, "code": "Busy", "method": "GET",
                  "path": "/virtualMachineScaleSets/boot"}  # fmt: skip
    faults.write_text(json.dumps([boot_fault]))
    running = await start_server("--virtual-clock", "--faults", str(faults))
    try:
        yield running
    finally:
        if running.process.returncode is None:
            running.process.kill()
            await running.process.wait()


async def call(
    session: ClientSession, method: str, url: str, body: Any = None
) -> tuple[int, Any, dict[str, str]]:
    headers = {"Authorization": "Bearer t"}
    async with session.request(method, url, json=body, headers=headers) as response:
        raw = await response.read()
        return response.status, json.loads(raw) if raw else None, dict(response.headers)


SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
VMSS = f"{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
API = "api-version=2024-07-01"
SCALE_SET = {
    "location": "westus",
    "sku": {"name": "Standard_D2s_v3", "capacity": 2},
    "properties": {
        "orchestrationMode": "Uniform",
        "resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": True}},
    },
}


async def test_serve_subprocess_end_to_end(server: Server) -> None:
    base = server.url
    async with ClientSession() as session:
        # The fault from --faults FILE answers the first GET of "boot".
        status, body, _ = await call(session, "GET", f"{base}{VMSS}/boot?{API}")
        assert (status, body["error"]["code"]) == (503, "Busy")

        status, body, _ = await call(
            session, "POST", f"{base}/_fake/faults",
            {"kind": "fail_create", "code": "OSProvisioningTimeout", "instances": ["0"],
             "attempts": 1},
        )  # fmt: skip
        assert status == 201, body

        status, body, headers = await call(session, "PUT", f"{base}{VMSS}/web?{API}", SCALE_SET)
        assert status == 201, body
        assert headers["Azure-AsyncOperation"].startswith(base)

        status, clock, _ = await call(session, "POST", f"{base}/_fake/clock/advance",
                                      {"seconds": 3600})  # fmt: skip
        assert (status, clock["now"]) == (200, 3600.0)

        status, body, _ = await call(session, "GET", f"{base}{VMSS}/web?{API}")
        assert body["properties"]["provisioningState"] == "Succeeded"

        status, state, _ = await call(session, "GET", f"{base}/_fake/state")
        assert status == 200
        assert "web" in json.dumps(state)

        status, records, _ = await call(session, "GET", f"{base}/_fake/requests")
        assert [r["status"] for r in records["value"]][:2] == [503, 201]

    code, stderr = await stop_server(server)
    assert code == 0, stderr.decode()


async def test_restarted_server_starts_empty(server: Server) -> None:
    async with ClientSession() as session:
        status, _, _ = await call(session, "PUT", f"{server.url}{VMSS}/web?{API}", SCALE_SET)
        assert status == 201
    assert (await stop_server(server))[0] == 0
    again = await start_server("--virtual-clock")
    try:
        async with ClientSession() as session:
            status, body, _ = await call(session, "GET", f"{again.url}{VMSS}/web?{API}")
            assert (status, body["error"]["code"]) == (404, "ResourceNotFound")
    finally:
        assert (await stop_server(again))[0] == 0


async def test_sigint_stops_cleanly() -> None:
    running = await start_server("--speed", "600")
    running.process.send_signal(signal.SIGINT)
    # Wait for this signal alone: stop_server's SIGTERM could land mid-shutdown, after the
    # handlers are gone, and kill the process (-15) although SIGINT was handled cleanly.
    _, stderr = await asyncio.wait_for(running.process.communicate(), START_TIMEOUT)
    assert running.process.returncode == 0, stderr.decode()


async def test_non_loopback_host_warns() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fakevmss", "serve", "--host", "0.0.0.0", "--port", "0",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
    assert line.decode().startswith("listening on http://0.0.0.0:")
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode == 0
    assert "not loopback" in stderr.decode()
