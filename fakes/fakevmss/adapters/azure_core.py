"""The fake as an azure-core transport, for the official ``azure-mgmt-compute`` aio client.

::

    client = ComputeManagementClient(credential, fake.subscription_id,
                                     transport=fake.azure_core_transport())

Every sleep of the official pipeline goes through ``transport.sleep`` (LRO polling and the retry
policy alike), so this transport sleeps on the fake's clock: a virtual clock makes hours of
polling instant. An injected dropped connection raises azure-core's ``ServiceRequestError``
(never reached the service) or ``ServiceResponseError`` (the fake acted on it).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import AsyncHttpResponse
from azure.core.utils import case_insensitive_dict

from fakevmss._http import DroppedConnection, WireRequest, WireResponse

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = ["FakeAzureCoreResponse", "FakeAzureCoreTransport"]

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content"}


def _request_body(request: Any) -> bytes:
    """The body of an azure-core request (new ``rest`` or legacy ``pipeline.transport``)."""
    content = getattr(request, "content", None)
    if content is None:
        content = getattr(request, "data", None)
    if content is None:
        return b""
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    if hasattr(content, "read"):
        data = content.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if isinstance(content, Iterable) and not isinstance(content, dict):
        return b"".join(bytes(chunk) for chunk in content)
    raise TypeError(f"the fake cannot send a {type(content).__name__} body")


class FakeAzureCoreResponse(AsyncHttpResponse):
    """A complete in-memory azure-core response (also answers the legacy ``body()`` API)."""

    def __init__(self, request: Any, answer: WireResponse) -> None:
        self._request = request
        self._status_code = answer.status
        self._headers = case_insensitive_dict(answer.headers)
        self._content = answer.body
        self._encoding: str | None = None
        self._is_closed = False
        self._is_stream_consumed = False

    @property
    def request(self) -> Any:
        """The request this answers."""
        return self._request

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self._status_code

    @property
    def headers(self) -> Any:
        """Headers, case-insensitive."""
        return self._headers

    @property
    def reason(self) -> str:
        """A reason phrase for the status."""
        return _REASONS.get(self._status_code, "Error" if self._status_code >= 400 else "OK")

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header."""
        value: str | None = self._headers.get("Content-Type")
        return value

    @property
    def is_closed(self) -> bool:
        """Whether ``close()`` ran."""
        return self._is_closed

    @property
    def is_stream_consumed(self) -> bool:
        """Whether ``iter_*`` consumed the body."""
        return self._is_stream_consumed

    @property
    def encoding(self) -> str | None:
        """The text encoding (None: UTF-8)."""
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value

    @property
    def url(self) -> str:
        """The request URL."""
        return str(self._request.url)

    @property
    def content(self) -> bytes:
        """The whole body."""
        return self._content

    def text(self, encoding: str | None = None) -> str:
        """The body as text (UTF-8 with BOM handling unless told otherwise)."""
        encoding = encoding or self._encoding or "utf-8-sig"
        return self._content.decode("utf-8-sig" if encoding == "utf-8" else encoding)

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.text())

    def raise_for_status(self) -> None:
        """Raise azure-core's ``HttpResponseError`` for a 4xx or 5xx status."""
        if self._status_code >= 400:
            raise HttpResponseError(response=self)

    async def read(self) -> bytes:
        """The whole body (already in memory)."""
        return self._content

    async def iter_raw(self, **kwargs: Any) -> AsyncIterator[bytes]:
        """The body in one chunk."""
        self._is_stream_consumed = True
        if self._content:
            yield self._content

    async def iter_bytes(self, **kwargs: Any) -> AsyncIterator[bytes]:
        """The body in one chunk."""
        async for chunk in self.iter_raw():
            yield chunk

    async def close(self) -> None:
        """Mark closed (nothing to release)."""
        self._is_closed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.close()

    # The legacy pipeline.transport response API, for older generated clients.
    def body(self) -> bytes:
        """The whole body (legacy API)."""
        return self._content

    async def load_body(self) -> None:
        """No-op: the body is in memory (legacy API)."""

    def stream_download(self, pipeline: Any, **kwargs: Any) -> AsyncIterator[bytes]:
        """The body as an async iterator (legacy API)."""
        return self.iter_bytes()


class FakeAzureCoreTransport(AsyncHttpTransport):  # type: ignore[type-arg]
    """An azure-core ``AsyncHttpTransport`` answering every request from ``fake``."""

    def __init__(self, fake: FakeCompute) -> None:
        self.fake = fake

    async def send(self, request: Any, **kwargs: Any) -> FakeAzureCoreResponse:
        """Hand ``request`` to the fake and wrap its answer."""
        wire = WireRequest(
            request.method, str(request.url), dict(request.headers), _request_body(request)
        )
        try:
            answer = await self.fake.handle(wire)
        except DroppedConnection as exc:
            if exc.sent:
                raise ServiceResponseError(str(exc)) from exc
            raise ServiceRequestError(str(exc)) from exc
        return FakeAzureCoreResponse(request, answer)

    async def sleep(self, duration: float) -> None:
        """Sleep on the fake's clock (LRO polling and retries both come here)."""
        await self.fake.clock.sleep(duration)

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    async def __aenter__(self) -> FakeAzureCoreTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.close()
