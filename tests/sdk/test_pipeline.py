"""Pipeline: retries on the manual clock, headers, tokens, error mapping, logging hygiene."""

from __future__ import annotations

import asyncio
import logging
import platform
import re
import time
from typing import Any

import pytest
from sdk_support import ManualClock, ScriptedTransport, body_of, respond

from aiovmss._credentials import AccessToken, StaticTokenCredential
from aiovmss._error_map import error_from_response
from aiovmss._pipeline import Pipeline, user_agent
from aiovmss._retry import RetryPolicy
from aiovmss._version import __version__
from aiovmss.errors import (
    ClientAuthenticationError,
    ConflictError,
    HttpResponseError,
    PreconditionFailedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
    ThrottledError,
)
from aiovmss.transport import HttpRequest, HttpResponse

URL = "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web?api-version=2024-07-01"
OP: dict[str, Any] = {"operation": "scale_sets.get", "resource": "rg/web"}


def arm_error(code: str = "InternalError", message: str = "boom", **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def make_pipeline(
    transport: ScriptedTransport,
    clock: ManualClock,
    *,
    credential: Any = None,
    **policy: Any,
) -> Pipeline:
    return Pipeline(
        transport=transport,
        credential=credential or StaticTokenCredential("canary-token"),
        clock=clock,
        retry=RetryPolicy(**policy),
        rng=lambda: 0.5,
    )


# --- retries ----------------------------------------------------------------------------------


async def test_429_with_retry_after_waits_exactly_that(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(429, arm_error("TooManyRequests"), {"Retry-After": "7"}), respond(200, {"ok": 1})
    )
    response = await make_pipeline(transport, clock).send("GET", URL, **OP)
    assert response.status_code == 200
    assert response.json() == {"ok": 1}
    assert clock.sleeps == [7.0]
    assert len(transport.requests) == 2


async def test_503_burst_then_success_backs_off_exponentially(clock: ManualClock) -> None:
    transport = ScriptedTransport(*[respond(503, arm_error())] * 3, respond(200, {}))
    await make_pipeline(transport, clock, backoff_base=0.8).send("GET", URL, **OP)
    assert clock.sleeps == [0.4, 0.8, 1.6]  # full jitter drawn at 0.5
    assert len(transport.requests) == 4


async def test_connection_reset_on_get_is_retried(clock: ManualClock) -> None:
    transport = ScriptedTransport(ServiceResponseError("reset by peer"), respond(200, {}))
    response = await make_pipeline(transport, clock).send("GET", URL, **OP)
    assert response.status_code == 200
    assert len(transport.requests) == 2


async def test_reset_after_sending_a_post_is_not_retried(clock: ManualClock) -> None:
    transport = ScriptedTransport(ServiceResponseError("reset by peer"), respond(202))
    with pytest.raises(ServiceResponseError) as info:
        await make_pipeline(transport, clock).send(
            "POST",
            URL,
            json={"instanceIds": ["0"]},
            operation="delete_instances",
            resource="rg/web",
        )
    assert len(transport.requests) == 1
    assert clock.sleeps == []
    assert "delete_instances rg/web" in str(info.value)
    assert "reset by peer" in str(info.value)


async def test_connection_refused_on_post_is_retried(clock: ManualClock) -> None:
    transport = ScriptedTransport(ServiceRequestError("refused"), respond(202))
    response = await make_pipeline(transport, clock).send("POST", URL, json={}, **OP)
    assert response.status_code == 202
    assert len(transport.requests) == 2


async def test_post_503_without_retry_after_is_not_retried(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(503, arm_error("ServiceUnavailable", "busy")))
    with pytest.raises(HttpResponseError) as info:
        await make_pipeline(transport, clock).send("POST", URL, json={}, **OP)
    assert info.value.status_code == 503
    assert len(transport.requests) == 1


async def test_patch_429_with_retry_after_is_retried(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(429, arm_error("TooManyRequests"), {"Retry-After": "3"}), respond(200, {})
    )
    await make_pipeline(transport, clock).send("PATCH", URL, json={"tags": {}}, **OP)
    assert clock.sleeps == [3.0]
    assert len(transport.requests) == 2


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_beyond_the_cap_raises_throttled_at_once(
    clock: ManualClock, status: int
) -> None:
    transport = ScriptedTransport(
        respond(status, arm_error("TooManyRequests"), {"Retry-After": "90"})
    )
    with pytest.raises(ThrottledError) as info:
        await make_pipeline(transport, clock, max_retry_after=60).send("GET", URL, **OP)
    assert info.value.retry_after == 90.0
    assert info.value.status_code == status
    assert "90 s exceeds the client's limit of 60 s" in str(info.value)
    assert clock.sleeps == []
    assert len(transport.requests) == 1


@pytest.mark.parametrize(("method", "status"), [("PATCH", 500), ("POST", 502), ("PATCH", 503)])
async def test_a_long_retry_after_on_an_answer_never_retried_is_not_throttling(
    clock: ManualClock, method: str, status: int
) -> None:
    # PATCH/POST retry only 429/503 *with* a Retry-After; a 500 or 502 is not retried at all,
    # so its long Retry-After is not why the call stopped: the error is the 5xx itself.
    # (A 503 with Retry-After would be retried: its long demand is throttling, as for GET.)
    transport = ScriptedTransport(respond(status, arm_error("Boom"), {"Retry-After": "90"}))
    pipeline = make_pipeline(transport, clock, max_retry_after=60)
    with pytest.raises(HttpResponseError) as info:
        await pipeline.send(method, URL, json={}, **OP)
    assert (type(info.value) is ThrottledError) == (status == 503)
    assert ("exceeds the client's limit" in str(info.value)) == (status == 503)
    assert info.value.status_code == status
    assert len(transport.requests) == 1


async def test_max_attempts_is_respected(clock: ManualClock) -> None:
    transport = ScriptedTransport(*[respond(500, arm_error())] * 3)
    with pytest.raises(HttpResponseError) as info:
        await make_pipeline(transport, clock, max_attempts=3).send("GET", URL, **OP)
    assert info.value.status_code == 500
    assert len(transport.requests) == 3
    assert len(clock.sleeps) == 2


async def test_connection_errors_raise_after_the_last_attempt(clock: ManualClock) -> None:
    transport = ScriptedTransport(*[ServiceRequestError("refused")] * 2)
    with pytest.raises(ServiceRequestError, match=r"scale_sets\.get rg/web: refused"):
        await make_pipeline(transport, clock, max_attempts=2).send("GET", URL, **OP)
    assert len(transport.requests) == 2


async def test_single_attempt_policy_never_retries(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(503, arm_error()))
    with pytest.raises(HttpResponseError):
        await make_pipeline(transport, clock, max_attempts=1).send("GET", URL, **OP)
    assert clock.sleeps == []


@pytest.mark.parametrize("header", ["retry-after-ms", "x-ms-retry-after-ms"])
async def test_millisecond_retry_after_headers(clock: ManualClock, header: str) -> None:
    transport = ScriptedTransport(respond(503, arm_error(), {header: "1500"}), respond(200, {}))
    await make_pipeline(transport, clock).send("GET", URL, **OP)
    assert clock.sleeps == [1.5]


async def test_retries_are_logged(clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    transport = ScriptedTransport(respond(503, arm_error(), {"Retry-After": "2"}), respond(200, {}))
    with caplog.at_level(logging.INFO, logger="aiovmss"):
        await make_pipeline(transport, clock).send("GET", URL, **OP)
    (line,) = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert "scale_sets.get rg/web" in line
    assert "HTTP 503" in line
    assert "attempt 1 of 5" in line
    assert "2.000 s" in line


# --- per-attempt timeout ----------------------------------------------------------------------


class HangingTransport:
    def __init__(self, io_clock: ManualClock | None = None) -> None:
        self.io_clock = io_clock
        self.sent = 0
        self.cancelled = 0
        self.started = asyncio.Event()

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.sent += 1
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        pass


async def test_attempt_timeout_runs_on_the_transports_io_clock(clock: ManualClock) -> None:
    transport = HangingTransport(io_clock=clock)  # here the client's clock is the I/O clock
    pipeline = Pipeline(
        transport=transport,
        credential=StaticTokenCredential("t"),
        clock=clock,
        retry=RetryPolicy(max_attempts=2, timeout=120),
        rng=lambda: 0.0,
    )
    with pytest.raises(ServiceResponseError, match="timed out after 120 s"):
        await pipeline.send("GET", URL, **OP)
    assert transport.sent == 2
    assert transport.cancelled == 2
    assert clock.sleeps == [120, 0.0, 120]  # watchdog, backoff, watchdog


async def test_outer_cancellation_is_not_mistaken_for_a_timeout(clock: ManualClock) -> None:
    class SlowClock(ManualClock):
        async def sleep(self, seconds: float) -> None:
            await asyncio.Event().wait()

    transport = HangingTransport()
    pipeline = Pipeline(
        transport=transport,
        credential=StaticTokenCredential("t"),
        clock=SlowClock(),
        retry=RetryPolicy(),
    )
    task = asyncio.ensure_future(pipeline.send("GET", URL, **OP))
    await transport.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert transport.sent == 1


async def test_no_timeout_sends_directly(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(200, {}))
    await make_pipeline(transport, clock, timeout=None).send("GET", URL, **OP)
    assert clock.sleeps == []


# --- headers and tokens -----------------------------------------------------------------------


async def test_headers_and_stable_client_request_id(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(503, arm_error()), respond(500, arm_error()), respond(200, {})
    )
    await make_pipeline(transport, clock).send(
        "PUT", URL, json={"b": [1, 2], "a": "é"}, headers={"If-Match": '"etag-1"'}, **OP
    )
    ids = {r.headers["x-ms-client-request-id"] for r in transport.requests}
    assert len(ids) == 1
    (request_id,) = ids
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", request_id
    )
    request = transport.requests[-1]
    assert request.headers["authorization"] == "Bearer canary-token"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["if-match"] == '"etag-1"'
    assert request.body == '{"b":[1,2],"a":"é"}'.encode()
    assert body_of(request) == {"b": [1, 2], "a": "é"}
    assert (
        request.headers["User-Agent"] == f"aiovmss/{__version__} Python/{platform.python_version()}"
    )


async def test_get_has_no_body_or_content_type(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(200, {}))
    await make_pipeline(transport, clock).send("GET", URL, **OP)
    (request,) = transport.requests
    assert request.body is None
    assert "content-type" not in request.headers


async def test_raw_body_and_json_are_exclusive(clock: ManualClock) -> None:
    pipeline = make_pipeline(ScriptedTransport(), clock)
    with pytest.raises(ValueError, match="not both"):
        await pipeline.send("PUT", URL, json={}, body=b"{}", **OP)


def test_user_agent_with_application_id() -> None:
    version = platform.python_version()
    assert user_agent() == f"aiovmss/{__version__} Python/{version}"
    assert user_agent("platform-bot/2") == f"platform-bot/2 aiovmss/{__version__} Python/{version}"
    with pytest.raises(ValueError):
        user_agent("evil\r\nX-Injected: 1")


async def test_application_id_reaches_the_wire(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(200, {}))
    pipeline = Pipeline(
        transport=transport,
        credential=StaticTokenCredential("t"),
        clock=clock,
        retry=RetryPolicy(),
        application_id="myapp",
    )
    await pipeline.send("GET", URL, **OP)
    assert transport.requests[0].headers["user-agent"].startswith("myapp aiovmss/")


class CountingCredential:
    def __init__(self, lifetime: int = 3600) -> None:
        self.calls = 0
        self.lifetime = lifetime

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        await asyncio.sleep(0)
        return AccessToken(f"token-{self.calls}", int(time.time()) + self.lifetime)


async def test_token_fetched_once_for_50_concurrent_sends(clock: ManualClock) -> None:
    credential = CountingCredential()
    transport = ScriptedTransport(*[respond(200, {})] * 50)
    pipeline = make_pipeline(transport, clock, credential=credential)
    await asyncio.gather(*(pipeline.send("GET", URL, **OP) for _ in range(50)))
    assert credential.calls == 1
    assert {r.headers["Authorization"] for r in transport.requests} == {"Bearer token-1"}


async def test_token_refreshed_near_expiry(
    clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [2_000_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    credential = CountingCredential(lifetime=3600)
    transport = ScriptedTransport(*[respond(200, {})] * 3)
    pipeline = make_pipeline(transport, clock, credential=credential)
    await pipeline.send("GET", URL, **OP)
    now[0] += 1000
    await pipeline.send("GET", URL, **OP)
    now[0] += 2400  # 200 s of life left, under the 300 s margin
    await pipeline.send("GET", URL, **OP)
    assert [r.headers["Authorization"] for r in transport.requests] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
    ]


async def test_aclose_closes_the_transport(clock: ManualClock) -> None:
    transport = ScriptedTransport()
    pipeline = make_pipeline(transport, clock)
    await pipeline.aclose()
    assert transport.closed
    assert pipeline.clock is clock
    assert "canary" not in repr(pipeline)


# --- error mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, HttpResponseError),
        (401, ClientAuthenticationError),
        (403, ClientAuthenticationError),
        (404, ResourceNotFoundError),
        (409, ConflictError),
        (412, PreconditionFailedError),
        (429, ThrottledError),
        (500, HttpResponseError),
    ],
)
def test_error_mapping_per_status(status: int, cls: type[HttpResponseError]) -> None:
    body = arm_error(
        "InvalidParameter",
        "The value is bad.",
        target="sku.capacity",
        details=[{"code": "Inner", "message": "deeper", "target": "x"}],
    )
    response = respond(status, body, {"x-ms-request-id": "rid-42"})
    error = error_from_response(response, operation="scale_sets.get", resource="rg/web")
    assert type(error) is cls
    assert error.status_code == status
    assert error.code == "InvalidParameter"
    assert error.error.message == "The value is bad."
    assert error.error.target == "sku.capacity"
    assert error.error.details[0].code == "Inner"
    assert error.error.details[0].target == "x"
    assert error.request_id == "rid-42"
    assert (error.operation, error.resource) == ("scale_sets.get", "rg/web")
    assert str(error) == (
        f"scale_sets.get rg/web: HTTP {status} InvalidParameter: The value is bad. "
        "(x-ms-request-id rid-42)"
    )


def test_throttled_error_carries_retry_after() -> None:
    response = respond(429, arm_error("TooManyRequests"), {"Retry-After": "12"})
    error = error_from_response(response, **OP)
    assert isinstance(error, ThrottledError)
    assert error.retry_after == 12.0


def test_a_long_retry_after_on_a_non_retryable_status_keeps_its_class() -> None:
    response = respond(409, arm_error("OperationNotAllowed"), {"Retry-After": "600"})
    error = error_from_response(response, **OP, retry_after_cap=60)
    assert type(error) is ConflictError
    response = respond(503, arm_error("ServiceUnavailable"), {"Retry-After": "600"})
    error = error_from_response(response, **OP, retry_after_cap=60)
    assert isinstance(error, ThrottledError)
    assert error.retry_after == 600.0


def test_non_json_error_body_gives_a_clear_message() -> None:
    html = b"<html><body>Bad Gateway</body></html>" + b"x" * 500
    error = error_from_response(HttpResponse(502, {"x-ms-request-id": "r"}, html), **OP)
    text = str(error)
    assert text.startswith("scale_sets.get rg/web: HTTP 502 (no ARM error body: b'<html><body>Bad")
    assert text.endswith("(x-ms-request-id r)")
    assert "x" * 201 not in text  # at most 200 bytes of the body
    assert error.status_code == 502
    assert error.code == "Unknown"


def test_empty_and_non_arm_json_error_bodies() -> None:
    error = error_from_response(HttpResponse(500, {}, b""), **OP)
    assert str(error) == "scale_sets.get rg/web: HTTP 500 (no ARM error body: b'')"
    error = error_from_response(HttpResponse(500, {}, b"[1, 2]"), **OP)
    assert "no ARM error body" in str(error)


async def test_error_from_the_pipeline_is_mapped(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(404, arm_error("ResourceNotFound", "gone")))
    with pytest.raises(ResourceNotFoundError, match="HTTP 404 ResourceNotFound: gone"):
        await make_pipeline(transport, clock).send("GET", URL, **OP)


# --- secrets never leak -----------------------------------------------------------------------

SECRET_BODY = {
    "properties": {
        "virtualMachineProfile": {
            "osProfile": {"adminPassword": "canary-password", "customData": "canary-data"}
        }
    }
}


async def test_secrets_never_reach_logs_or_errors(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    echo = b'<html>{"adminPassword": "canary-password", "customData": "canary-data"}</html>'
    transport = ScriptedTransport(
        ServiceResponseError("reset"),
        respond(503, arm_error(), {"Retry-After": "1"}),
        HttpResponse(502, {"x-ms-request-id": "r"}, echo),
    )
    with caplog.at_level(logging.DEBUG, logger="aiovmss"), pytest.raises(HttpResponseError) as info:
        await make_pipeline(transport, clock, max_attempts=3).send(
            "PUT", URL, json=SECRET_BODY, **OP
        )
    captured = caplog.text + str(info.value) + repr(info.value) + repr(transport.requests)
    captured += "".join(repr(r.__dict__) for r in caplog.records)
    assert "request PUT" in caplog.text and "response PUT" in caplog.text
    assert "no ARM error body" in str(info.value)
    for canary in ("canary-token", "canary-password", "canary-data"):
        assert canary not in captured


async def test_debug_lines_carry_ids_status_and_duration(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    transport = ScriptedTransport(respond(200, {}, {"x-ms-request-id": "server-id-9"}))
    transport.io_clock = clock  # type: ignore[attr-defined]  # the duration is on the I/O clock
    with caplog.at_level(logging.DEBUG, logger="aiovmss"):
        await make_pipeline(transport, clock).send("GET", URL, **OP)
    client_id = transport.requests[0].headers["x-ms-client-request-id"]
    request_line, response_line = (r.getMessage() for r in caplog.records)
    assert request_line.startswith(f"request GET {URL}") and client_id in request_line
    assert f"-> 200 x-ms-client-request-id={client_id} x-ms-request-id=server-id-9" in response_line
    assert response_line.endswith("in 0.000 s")


async def test_nothing_is_formatted_when_debug_is_off(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    transport = ScriptedTransport(respond(200, {}))
    with caplog.at_level(logging.WARNING, logger="aiovmss"):
        await make_pipeline(transport, clock).send("GET", URL, **OP)
    assert caplog.records == []


# --- redaction helpers ------------------------------------------------------------------------


def test_redact_headers_masks_credentials_only() -> None:
    from aiovmss._logging import redact_headers

    redacted = redact_headers({"Authorization": "Bearer canary", "Cookie": "c", "Accept": "a"})
    assert redacted == {"Authorization": "***", "Cookie": "***", "Accept": "a"}


def test_redact_json_text_masks_secret_keys_at_any_depth() -> None:
    import json

    from aiovmss._logging import redact_json_text

    text = redact_json_text(json.dumps(SECRET_BODY))
    assert "canary" not in text
    assert json.loads(text)["properties"]["virtualMachineProfile"]["osProfile"] == {
        "adminPassword": "***",
        "customData": "***",
    }
    truncated = '{"osProfile": {"AdminPassword" : "canary-pw", "computerNamePrefix": "web'
    scrubbed = redact_json_text(truncated)
    assert "canary" not in scrubbed
    assert '"computerNamePrefix": "web' in scrubbed


def test_redact_url_masks_secret_query_values() -> None:
    from aiovmss._logging import redact_url

    assert redact_url(URL) == URL
    assert "canary" not in redact_url("https://h/p?api-version=1&sig=canary&$top=5")
    assert "$top=5" in redact_url("https://h/p?api-version=1&sig=canary&$top=5")
