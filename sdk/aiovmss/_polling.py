"""AsyncLROPoller: waits for an ARM long-running operation on the client's clock.

The ARM algorithm (decisions in :mod:`aiovmss._lro`): after the first response, poll the
``Azure-AsyncOperation`` URL if given, else the ``Location`` URL, else the resource's
``provisioningState``; PUT and PATCH end with a GET of the resource. Polling is lazy: it runs
inside :meth:`AsyncLROPoller.result` / :meth:`AsyncLROPoller.wait`, never in the background.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from aiovmss import _lro
from aiovmss._catalog import result_model
from aiovmss._decode import decode_error
from aiovmss._lro import LroState, PollingSettings
from aiovmss._lro_tokens import state_from_token, state_to_token
from aiovmss._origin import AllowedOrigins
from aiovmss.errors import (
    ArmError,
    ClientAuthenticationError,
    HttpResponseError,
    OperationFailedError,
    ResourceNotFoundError,
    ThrottledError,
    WaitTimeoutError,
)
from aiovmss.transport import HttpResponse

if TYPE_CHECKING:
    from aiovmss._client import ComputeClient
    from aiovmss._pipeline import Pipeline
    from aiovmss.models import ArmModel

__all__ = ["AsyncLROPoller", "PollingSettings"]

T = TypeVar("T")


def _with_operation_status(response: HttpResponse) -> tuple[HttpResponse, tuple[str, Any]]:
    """A status poll's response and its ``(status, error)``; a damaged body raises ValueError."""
    return response, _lro.operation_status(response.body, strict=True)


def _with_provisioning_state(response: HttpResponse) -> tuple[HttpResponse, str | None]:
    """A resource poll's response and its provisioningState; a damaged body raises ValueError."""
    return response, _lro.provisioning_state(response.body, strict=True)


class AsyncLROPoller(Generic[T]):
    """A long-running operation: ``await poller.result()`` waits for it and returns its result.

    Sleeps go through the client's clock, ``Retry-After`` first (clamped to the client's
    min/max polling interval), else the client's ``polling_interval``. Concurrent ``result()``
    calls share one polling run; a call waiting behind another is bounded by that call's
    ``timeout``, not its own.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        state: LroState,
        settings: PollingSettings,
        *,
        next_poll_at: float | None = None,
        result: type[ArmModel] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._state = state
        self._settings = settings
        # The class, when the operation gave it; else (a resumed token) the one its name
        # stands for in the registry derived from the operation descriptions.
        model = result if result is not None else result_model(state.result_type)
        self._parse: Callable[[bytes], Any] | None = None if model is None else model.from_wire
        self._next_poll_at = next_poll_at
        self._lock = asyncio.Lock()
        self._finished = False
        self._result: Any = None
        self._error: BaseException | None = None
        self._arm_error: Any = None

    @classmethod
    def from_response(
        cls,
        pipeline: Pipeline,
        settings: PollingSettings,
        response: HttpResponse,
        *,
        method: str,
        url: str,
        operation: str,
        resource: str,
        result: type[ArmModel] | None,
        api_version: str,
        final_state_via: str | None = None,
    ) -> AsyncLROPoller[Any]:
        """Start watching the operation that ``response`` (to ``method url``) began.

        ``result`` is the result's model class (None: the operation returns nothing);
        ``final_state_via`` where the result is read (None: the default for ``method``).

        Raises:
            ResponseDecodeError: no polling header and a body that is not JSON (the request
                acted, so it is not sent again).
            UntrustedUrlError: a polling URL off the client's origins (see
                docs/client/security.md); nothing is polled, and the operation may go on.
        """
        result_type = None if result is None else result.__name__
        try:
            state = _lro.initial_state(
                method,
                url,
                response.status_code,
                response.headers,
                response.body,
                operation=operation,
                resource=resource,
                result_type=result_type,
                api_version=api_version,
                final_state_via=final_state_via,
            )
        except ValueError as exc:
            raise decode_error(
                exc,
                response.body,
                status_code=response.status_code,
                headers=response.headers,
                what=result_type or "an operation status",
                operation=operation,
                resource=resource,
            ) from None
        _lro.check_state_urls(state, pipeline.origins or AllowedOrigins.of(url))
        delay = _lro.poll_delay(response.headers, settings)
        next_poll_at = pipeline.clock.now() + delay
        return cls(pipeline, state, settings, next_poll_at=next_poll_at, result=result)

    @classmethod
    def from_continuation_token(cls, client: ComputeClient, token: str) -> AsyncLROPoller[Any]:
        """Resume an operation from :meth:`continuation_token`, polling through ``client``.

        Raises:
            ValueError: the token is malformed or names an unknown result model (see
                docs/client/security.md for every check).
            UntrustedUrlError: (a ValueError too) a URL in it is off the client's origins.
        """
        state = state_from_token(token, client.allowed_origins)
        return cls(client.pipeline, state, client.polling_settings)

    def status(self) -> str:
        """The operation's status: ``InProgress``, ``Succeeded``, ``Failed``, ``Canceled``."""
        return self._state.status

    def done(self) -> bool:
        """True once the operation is over and its result (if any) has been fetched."""
        if self._finished:
            return True
        state = self._state
        needs_get = self._parse is not None and state.final_body is None
        return state.done and not (needs_get and _lro.final_get_url(state) is not None)

    def continuation_token(self) -> str:
        """A JSON string to resume this operation elsewhere (URLs and names; no secrets)."""
        return state_to_token(self._state)

    # The timeout runs on the client's clock (virtual in tests), which asyncio.timeout cannot do.
    async def result(self, timeout: float | None = None) -> T:  # noqa: ASYNC109
        """Wait for the operation and return its result (None for deletes).

        Args:
            timeout: seconds on the client's clock; the operation keeps running after it.

        Raises:
            OperationFailedError: the operation ended Failed or Canceled.
            WaitTimeoutError: ``timeout`` passed first; call ``result()`` again to go on.
            HttpResponseError: a poll was refused (after the pipeline's retries).
            ResponseDecodeError: a poll's or the final GET's body would not decode (a damaged
                body is fetched again first, within the retry policy's attempts).
        """
        async with self._lock:
            if not self._finished:
                clock = self._pipeline.clock
                deadline = None if timeout is None else clock.now() + timeout
                await self._drive(deadline, timeout)
                await self._settle()
        if self._error is not None:
            raise self._error
        return cast(T, self._result)

    async def wait(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait for the operation to end; raises as :meth:`result` does."""
        await self.result(timeout)

    async def _drive(self, deadline: float | None, limit: float | None) -> None:
        """Poll until the state is terminal or ``deadline`` passes."""
        clock = self._pipeline.clock
        while not self._state.done:
            now = clock.now()
            wait = 0.0 if self._next_poll_at is None else max(0.0, self._next_poll_at - now)
            if deadline is not None and now + wait > deadline:
                if deadline > now:
                    await clock.sleep(deadline - now)
                raise WaitTimeoutError(
                    f"{self._state.operation} {self._state.resource}: still "
                    f"{self._state.status} after {limit} s; call result() again to keep waiting"
                )
            if wait > 0:
                await clock.sleep(wait)
            response = await self._poll_once()
            delay = _lro.poll_delay(response.headers, self._settings)
            self._next_poll_at = clock.now() + delay

    async def _poll_once(self) -> HttpResponse:
        """One poll by the state's strategy; updates the state and returns the response."""
        strategy = self._state.strategy
        if strategy == _lro.ASYNC_OPERATION:
            return await self._poll_async_operation()
        if strategy == _lro.LOCATION:
            return await self._poll_location()
        return await self._poll_resource()

    async def _get(self, url: str) -> HttpResponse:
        """GET a polling URL through the pipeline (retries, auth, error mapping)."""
        return await self._pipeline.send(
            "GET", url, operation=self._state.operation, resource=self._state.resource
        )

    async def _poll_async_operation(self) -> HttpResponse:
        assert self._state.async_url is not None
        response, (status, error) = await self._pipeline.send_parsed(
            "GET",
            self._state.async_url,
            _with_operation_status,
            what="OperationStatus",
            operation=self._state.operation,
            resource=self._state.resource,
        )
        self._state.status, self._arm_error = status, error
        return response

    async def _poll_location(self) -> HttpResponse:
        assert self._state.location_url is not None
        try:
            response = await self._get(self._state.location_url)
        except (ThrottledError, ClientAuthenticationError):
            raise
        except HttpResponseError as exc:
            # The Location URL reports a failed operation as an error status.
            self._state.status = "Failed"
            self._arm_error = exc.error
            raise self._failure() from exc
        if response.status_code != 202:
            self._state.status = _lro.SUCCEEDED
            if self._state.wants_location and response.body:
                self._state.final_body = response.body  # the Location URL answers the result
        return response

    async def _poll_resource(self) -> HttpResponse:
        try:
            response, current = await self._pipeline.send_parsed(
                "GET",
                self._state.resource_url,
                _with_provisioning_state,
                what=self._state.result_type or "the resource",
                operation=self._state.operation,
                resource=self._state.resource,
            )
        except ResourceNotFoundError as exc:
            if self._state.method != "DELETE":
                raise
            self._state.status = _lro.SUCCEEDED  # deleted: the resource is gone
            return HttpResponse(exc.status_code)
        if current is None or current.lower() in _lro.TERMINAL_STATUSES:
            self._state.status = current or _lro.SUCCEEDED
            if self._state.wants_resource:
                self._state.final_body = response.body
        return response

    async def _settle(self) -> None:
        """Turn a terminal state into the result (read per final-state-via) or the error."""
        state = self._state
        final_url = _lro.final_get_url(state)
        if state.status != _lro.SUCCEEDED:
            self._error = self._failure()
        elif self._parse is not None and state.final_body is not None:
            self._result = self._parse_final(state.final_body, self._parse)
        elif self._parse is not None and final_url is not None:
            self._result = await self._pipeline.send_decoded(
                "GET",
                final_url,
                self._parse,
                operation=state.operation,
                resource=state.resource,
            )
        self._finished = True

    def _parse_final(self, body: bytes, parse: Callable[[bytes], Any]) -> Any:
        """The result from a body already received (JSON, so only its shape can be wrong)."""
        try:
            return parse(body)
        except ValueError as exc:
            raise decode_error(
                exc,
                body,
                status_code=None,
                headers={},
                what=self._state.result_type or "the resource",
                operation=self._state.operation,
                resource=self._state.resource,
            ) from None

    def _failure(self) -> OperationFailedError:
        """The OperationFailedError for the current (Failed or Canceled) state."""
        state = self._state
        if isinstance(self._arm_error, ArmError):
            error = self._arm_error
        elif self._arm_error:
            error = ArmError.from_json(self._arm_error)
        else:  # e.g. provisioningState Failed: the service gave no error object
            error = ArmError(
                code=f"Operation{state.status}",
                message=f"the service reported {state.status} without an error",
            )
        return OperationFailedError(
            f"{state.operation} {state.resource}: operation {state.status} {error.code}: "
            f"{error.message}".rstrip(": "),
            status=state.status,
            error=error,
            operation=state.operation,
            resource=state.resource,
        )

    def __repr__(self) -> str:
        state = self._state
        return f"<AsyncLROPoller {state.operation} {state.resource} {state.status}>"
