"""pytest plugin (auto-registered through ``pytest11``): fixtures for testing against the fake.

Fixtures:
    fake_compute: a fresh ``FakeCompute`` per test, built from the test's
        ``@pytest.mark.fake_compute(**kwargs)`` marker if it has one.
    compute_client: an ``aiovmss.ComputeClient`` wired to ``fake_compute`` through its
        in-process transport and virtual clock; closed after the test. Its other options come
        from ``@pytest.mark.compute_client(**kwargs)`` (``api_version=``, ``retry=``, ...).

Markers merge function over class over module, the closest winning, and take keyword
arguments only. ``transport`` and ``subscription_id`` are the fake's and cannot be set through
``compute_client`` (set the subscription with the ``fake_compute`` marker).

When a test that used the fake fails, its report gains a "fakevmss" section with the fake's
seed and the timeline of its VMs, so a seeded random failure can be replayed, and the path of
the same timeline drawn as a standalone HTML file (``fake.timeline_html``) under pytest's
temporary directory, to open in a browser.

Heavy imports happen inside the fixtures: loading the plugin (which pytest does for every
session in an environment where fakevmss is installed) must never fail or slow a session down.
The plugin keeps no global state and opens no ports, so it is safe under pytest-xdist.

Example::

    @pytest.mark.fake_compute(seed=7)
    @pytest.mark.compute_client(api_version="2023-07-01", retry=RetryPolicy(max_attempts=2))
    async def test_delete(compute_client, fake_compute):
        fake_compute.faults.fail_delete("InternalExecutionError", attempts=2)
        ...

See ``docs/pytest-plugin.md`` (with the ``asyncio_default_fixture_loop_scope`` setting that
keeps ``filterwarnings = error`` projects quiet).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = [
    "compute_client",
    "fake_compute",
    "pytest_configure",
    "pytest_runtest_makereport",
]

MARKER = "fake_compute"
CLIENT_MARKER = "compute_client"
#: ComputeClient arguments the compute_client fixture owns: they must be the fake's.
_FIXED_CLIENT_ARGS = frozenset({"transport", "subscription_id"})
_FAKE_KEY = pytest.StashKey["FakeCompute"]()
_TMP_KEY = pytest.StashKey[pytest.TempPathFactory]()
_HTML_KEY = pytest.StashKey[Path]()

_F = TypeVar("_F", bound=Callable[..., Any])


def _async_fixture(function: _F) -> _F:
    """pytest-asyncio's fixture decorator (it works in strict and auto mode alike)."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - then the project runs async fixtures itself
        return cast(_F, pytest.fixture(function))
    return cast(_F, pytest_asyncio.fixture(function))


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_compute`` and ``compute_client`` markers."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**kwargs): keyword arguments for the FakeCompute of the fake_compute fixture",
    )
    config.addinivalue_line(
        "markers",
        f"{CLIENT_MARKER}(**kwargs): keyword arguments for the ComputeClient of the "
        "compute_client fixture (api_version=, retry=, ...); its transport stays the fake's",
    )


def _marker_kwargs(node: pytest.Item, name: str) -> dict[str, Any]:
    """Merge ``name`` markers, the closest (function over class over module) winning."""
    kwargs: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers(name))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{name} takes keyword arguments only")
        kwargs.update(marker.kwargs)
    return kwargs


def _client_kwargs(node: pytest.Item) -> dict[str, Any]:
    """The ``compute_client`` marker's keyword arguments, without the fixture's own."""
    kwargs = _marker_kwargs(node, CLIENT_MARKER)
    fixed = sorted(_FIXED_CLIENT_ARGS & kwargs.keys())
    if fixed:
        raise pytest.UsageError(
            f"@pytest.mark.{CLIENT_MARKER} cannot set {', '.join(fixed)}: the compute_client "
            f"fixture uses the fake's (set subscription_id with @pytest.mark.{MARKER})"
        )
    return kwargs


@pytest.fixture
def fake_compute(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FakeCompute]:
    """A fresh ``FakeCompute`` (configured by ``@pytest.mark.fake_compute(**kwargs)``)."""
    from fakevmss import FakeCompute

    item = request.node
    fake = FakeCompute(**_marker_kwargs(item, MARKER))
    item.stash[_FAKE_KEY] = fake
    item.stash[_TMP_KEY] = tmp_path_factory
    yield fake


@_async_fixture
async def compute_client(
    fake_compute: FakeCompute, request: pytest.FixtureRequest
) -> AsyncIterator[Any]:
    """An ``aiovmss.ComputeClient`` on ``fake_compute``'s transport and virtual clock.

    ``@pytest.mark.compute_client(**kwargs)`` passes more keyword arguments to it (or replaces
    the credential and clock).
    """
    # The one place the fake package reaches for aiovmss beyond its transport adapter: the
    # fixture exists to hand tests a ready client, and the import stays lazy.
    from aiovmss import ComputeClient, StaticTokenCredential

    options: dict[str, Any] = {
        "credential": StaticTokenCredential("fake-token"),
        "clock": fake_compute.clock,
        **_client_kwargs(request.node),
    }
    client = ComputeClient(
        subscription_id=fake_compute.subscription_id,
        transport=fake_compute.transport(),
        **options,
    )
    try:
        yield client
    finally:
        await client.aclose()


def _timeline_file(item: pytest.Item, fake: Any) -> str:
    """Write ``fake``'s HTML timeline under pytest's tmp dir (one file per test); its path."""
    factory = item.stash.get(_TMP_KEY, None)
    if factory is None or not callable(getattr(fake, "timeline_html", None)):
        return "(no HTML timeline)"
    try:
        path = item.stash.get(_HTML_KEY, None)
        if path is None:  # a later failing phase (teardown) rewrites the same file
            name = re.sub(r"\W", "_", item.name)[:30]
            path = item.stash[_HTML_KEY] = factory.mktemp(f"fakevmss-{name}") / "timeline.html"
        return str(fake.timeline_html(path))
    except Exception as error:  # a report must never break the run
        return f"(HTML timeline unavailable: {error!r})"


def _describe(fake: Any, html_path: str = "") -> str:
    """The seed, the HTML timeline's path and the VM timeline of ``fake``, for a report."""
    lines = [f"seed: {getattr(fake, 'seed', '?')}"]
    if html_path:
        lines.append(f"timeline html: {html_path}")
    clock = getattr(fake, "clock", None)
    if clock is not None:
        lines.append(f"clock: {clock!r}")
    timeline = getattr(fake, "timeline", None)
    if callable(timeline):
        try:
            text = timeline()
        except Exception as error:  # a report must never break the run
            text = f"(timeline unavailable: {error!r})"
        lines.append("timeline:")
        lines.append(str(text) if str(text) else "(no VM events)")
    return "\n".join(lines)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Add the fake's seed and timelines (text, HTML file) to a failed test's report."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    fake = item.stash.get(_FAKE_KEY, None)
    if fake is not None and report.failed:
        report.sections.append(("fakevmss", _describe(fake, _timeline_file(item, fake))))
