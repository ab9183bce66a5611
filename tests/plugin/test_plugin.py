"""The pytest plugin, loaded only through its entry point, in fresh pytester projects."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins: list[str] = []  # the plugin must arrive through the pytest11 entry point

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""

SCALE_SET = """
BODY = {
    "location": "westus",
    "sku": {"name": "Standard_D2s_v3", "capacity": 2},
    "properties": {
        "orchestrationMode": "Uniform",
        "virtualMachineProfile": {
            "storageProfile": {"osDisk": {"osType": "Linux", "createOption": "FromImage"}}
        },
        "resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": True}},
    },
}


async def create(client):
    poller = await client.scale_sets.begin_create_or_update("rg", "web", BODY)
    return await poller.result()
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    return pytester


def test_fixtures_give_a_client_on_a_fresh_fake(project: pytest.Pytester) -> None:
    project.makepyfile(
        SCALE_SET
        + """
from fakevmss import FakeCompute


async def test_create(compute_client, fake_compute):
    assert isinstance(fake_compute, FakeCompute)
    assert compute_client.clock is fake_compute.clock
    scale_set = await create(compute_client)
    assert scale_set.name == "web"
    assert sorted(fake_compute.scale_set("rg", "web").instance_ids) == ["0", "1"]


async def test_next_test_gets_a_fresh_fake(compute_client):
    names = [s.name async for s in compute_client.scale_sets.list("rg")]
    assert names == []


def test_sync_test_can_use_the_fake(fake_compute):
    assert fake_compute.requests == []
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_marker_is_registered_and_configures_the_fake(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
import pytest

pytestmark = pytest.mark.fake_compute(location="eastus", seed=5)


@pytest.mark.fake_compute(subscription_id="11111111-2222-3333-4444-555555555555")
def test_marker(fake_compute):
    assert fake_compute.subscription_id == "11111111-2222-3333-4444-555555555555"
    assert fake_compute.location == "eastus"


def test_module_marker_only(fake_compute):
    assert fake_compute.location == "eastus"
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=2)
    markers = project.runpytest_subprocess("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.fake_compute(**kwargs)*"])


def test_positional_marker_arguments_are_an_error(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
import pytest


@pytest.mark.fake_compute(7)
def test_bad(fake_compute):
    pass
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*keyword arguments only*"])


def test_failing_test_report_shows_seed_and_timeline(project: pytest.Pytester) -> None:
    project.makepyfile(
        SCALE_SET
        + """
import pytest


@pytest.mark.fake_compute(seed=4242)
async def test_fails(compute_client, fake_compute):
    await create(compute_client)
    poller = await compute_client.scale_set_vms.begin_delete("rg", "web", "1")
    await poller.result()
    assert False, "deliberate"


async def test_passes(fake_compute):
    pass
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    text = result.stdout.str()
    assert "fakevmss" in text
    assert "seed: 4242" in text
    assert "timeline:" in text
    section = text[text.index("seed: 4242") :]
    assert "1" in section and "deliberate" in text


def test_failing_test_report_links_an_html_timeline(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
import pytest


@pytest.mark.fake_compute(seed=7)
def test_fails(fake_compute):
    fake_compute.faults.fail_create("OSProvisioningTimeout", attempts=1)
    fake_compute.create_scale_set("rg", "web", capacity=1)
    fake_compute.clock.advance(1000)
    assert False, "deliberate"


def test_passes(fake_compute):
    fake_compute.create_scale_set("rg", "quiet", capacity=1)
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    (line,) = [x for x in result.stdout.lines if x.startswith("timeline html: ")]
    path = Path(line.removeprefix("timeline html: "))
    assert path.name == "timeline.html" and path.parent.name.startswith("fakevmss-test_fails")
    page = path.read_text(encoding="utf-8")
    assert "<svg" in page and "web_0" in page and "OSProvisioningTimeout" in page
    assert "quiet" not in page
    made = [p.name for p in path.parent.parent.glob("fakevmss-*") if not p.is_symlink()]
    assert made == [path.parent.name]  # none for the passing test


def test_safe_under_xdist(project: pytest.Pytester) -> None:
    project.makepyfile(
        SCALE_SET
        + """
import pytest


@pytest.mark.parametrize("n", range(6))
async def test_many(compute_client, fake_compute, n):
    await create(compute_client)
    assert fake_compute.scale_set("rg", "web").provisioning_state == "Succeeded"
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)


def test_client_marker_passes_options_to_the_client(project: pytest.Pytester) -> None:
    project.makepyfile(
        SCALE_SET
        + """
import pytest
from aiovmss import ApiVersion, RetryPolicy
from aiovmss.errors import ApiVersionError

pytestmark = pytest.mark.compute_client(api_version="2023-07-01")


@pytest.mark.compute_client(retry=RetryPolicy(max_attempts=1), application_id="mytool")
async def test_closest_marker_merges_over_the_module(compute_client, fake_compute):
    assert compute_client.api_version is ApiVersion.V2023_07_01
    assert compute_client.pipeline.retry.max_attempts == 1
    assert compute_client.pipeline.user_agent.startswith("mytool ")
    assert compute_client.clock is fake_compute.clock  # still the fake's unless the marker says
    await create(compute_client)
    assert {r.api_version for r in fake_compute.requests} == {"2023-07-01"}
    with pytest.raises(ApiVersionError):
        await compute_client.scale_set_vms.get("rg", "web", "0", expand="resiliencyView")


async def test_module_marker_alone(compute_client):
    assert compute_client.api_version is ApiVersion.V2023_07_01


@pytest.mark.compute_client(api_version="2024-07-01")
async def test_function_marker_wins(compute_client):
    assert compute_client.api_version is ApiVersion.V2024_07_01
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=3)
    markers = project.runpytest_subprocess("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.compute_client(**kwargs)*"])


def test_client_marker_cannot_replace_the_fakes_transport(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
import pytest


@pytest.mark.compute_client(transport=None, subscription_id="other")
async def test_bad(compute_client):
    pass


@pytest.mark.compute_client("2023-07-01")
async def test_positional(compute_client):
    pass
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*compute_client cannot set subscription_id, transport*",
            "*compute_client takes keyword arguments only*",
        ]
    )


@pytest.mark.skipif(
    pytest.version_tuple < (9, 2),
    reason="before pytest 9.2 pytest-asyncio's startup warning fails no run (docs/development.md)",
)
def test_the_loop_scope_setting_is_what_keeps_strict_projects_quiet(
    pytester: pytest.Pytester,
) -> None:
    # The setting docs/pytest-plugin.md asks for: without it, pytest-asyncio warns at startup,
    # which filterwarnings = error (with pytest 9.2 or later) turns into an error before any test.
    pytester.makeini(INI.replace("asyncio_default_fixture_loop_scope = function\n", ""))
    pytester.makepyfile("async def test_x(compute_client):\n    assert compute_client\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret != 0
    assert "asyncio_default_fixture_loop_scope" in result.stdout.str() + result.stderr.str()
