"""Transport error messages mask secret query values, as the pipeline's own messages do."""

from __future__ import annotations

import socket

import httpx
import pytest

from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport import AiohttpTransport, HttpRequest, HttpxTransport

SECRET_URL = "https://example.test/x?api-version=1&sig=s3cret&token=t0ken"


@pytest.mark.parametrize(
    ("error", "expected"),
    [(httpx.ConnectError, ServiceRequestError), (httpx.ReadError, ServiceResponseError)],
)
async def test_httpx_error_message_masks_secret_query_values(
    error: type[httpx.TransportError], expected: type
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("boom", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with HttpxTransport(client) as transport:
        with pytest.raises(expected) as info:
            await transport.send(HttpRequest("GET", SECRET_URL))
    await client.aclose()
    message = str(info.value)
    assert "s3cret" not in message
    assert "t0ken" not in message
    assert "sig=***" in message
    assert message.startswith("GET https://example.test/x?api-version=1")
    assert message.endswith(": boom")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_aiohttp_error_message_masks_secret_query_values() -> None:
    url = f"http://127.0.0.1:{closed_port()}/x?sig=s3cret"
    async with AiohttpTransport() as transport:
        with pytest.raises(ServiceRequestError) as info:
            await transport.send(HttpRequest("GET", url))
    assert "s3cret" not in str(info.value)
    assert "sig=***" in str(info.value)


def test_headers_repr_masks_every_header_the_logs_mask() -> None:
    from aiovmss._logging import SECRET_HEADERS, redact_headers
    from aiovmss.transport import Headers

    headers = Headers({name.title(): "v4lue" for name in SECRET_HEADERS} | {"Accept": "a/b"})
    assert "v4lue" not in repr(headers)
    assert "'Accept': 'a/b'" in repr(headers)
    assert "v4lue" not in str(redact_headers(headers))
