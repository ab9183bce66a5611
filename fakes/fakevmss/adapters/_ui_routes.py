"""The fake's page over HTTP: ``/_fake/ui`` and its files, and ``/_fake/ui/data`` (JSON).

Routes of the aiohttp server adapter (kept apart from ``server.py`` so the control API and the
page change independently). They are added to the same application as the control API, so
whatever checks that application applies to every route (Host, Origin) cover them too. The
page's own protections:

- a strict Content-Security-Policy: scripts, styles and fetches from this origin only, no inline
  script or style, no eval, no framing, no form posts; ``nosniff`` on every answer;
- the page draws every value with ``textContent`` (``static/app.js``);
- the data endpoint is read-only, takes only bounded, checked parameters (400 otherwise) and
  answers one page of VM rows and of the request log (docs/fake/ui.md).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from fakevmss._errors import METHOD_NOT_ALLOWED, ArmException, invalid_parameter
from fakevmss._ui._query import parse_query
from fakevmss._ui._view import build_view

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = ["CONTENT_SECURITY_POLICY", "UI_PATH", "add_ui_routes", "static_file"]

#: Where the page lives.
UI_PATH = "/_fake/ui"

#: The page's policy: nothing from anywhere but this origin, nothing inline, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# Sent with every answer of these routes.
_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_PAGE_HEADERS = {
    **_COMMON_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Path -> (file under _ui/static, content type).
_FILES = {
    UI_PATH: ("index.html", "text/html; charset=utf-8"),
    UI_PATH + "/": ("index.html", "text/html; charset=utf-8"),
    UI_PATH + "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    UI_PATH + "/app.css": ("app.css", "text/css; charset=utf-8"),
}
_READ_METHODS = ("GET", "HEAD")

Handler = Callable[[web.Request], Awaitable[web.Response]]


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    all_headers = {
        **_COMMON_HEADERS,
        "x-ms-request-id": str(uuid.uuid4()),
        "Content-Type": "application/json; charset=utf-8",
        **(headers or {}),
    }
    return web.Response(status=status, body=json.dumps(payload).encode(), headers=all_headers)


def _read_only(handler: Handler) -> Handler:
    """GET and HEAD reach ``handler``; any other method is an ARM-shaped 405."""

    async def guarded(request: web.Request) -> web.Response:
        try:
            if request.method not in _READ_METHODS:
                raise ArmException(
                    405,
                    METHOD_NOT_ALLOWED,
                    f"{request.method} is not allowed on {request.path}.",
                    headers={"Allow": ", ".join(_READ_METHODS)},
                )
            return await handler(request)
        except ArmException as exc:
            return _json(exc.status, exc.body(), exc.headers)

    return guarded


def static_file(name: str) -> bytes:
    """The bytes of one of the page's files (package data under ``fakevmss/_ui/static``)."""
    return resources.files("fakevmss._ui").joinpath("static", name).read_bytes()


def _file_handler(body: bytes, content_type: str) -> Handler:
    headers = {**_PAGE_HEADERS, "Content-Type": content_type}

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)

    return serve


def _data_handler(fake: FakeCompute) -> Handler:
    async def data(request: web.Request) -> web.Response:
        query = request.rel_url.query
        if len(query) != len(set(query.keys())):
            repeated = next(key for key in query if len(query.getall(key)) > 1)
            raise invalid_parameter(repeated[:50], f"'{repeated[:50]}' is given more than once.")
        checked = parse_query(query)
        with fake.lock:  # engine timers may run on another thread's loop
            view = build_view(fake, checked)
        return _json(200, view)

    return data


def add_ui_routes(app: web.Application, fake: FakeCompute) -> None:
    """Serve the page of ``fake`` on ``app``; call before adding a catch-all route."""
    for path, (name, content_type) in _FILES.items():
        app.router.add_route("*", path, _read_only(_file_handler(static_file(name), content_type)))
    app.router.add_route("*", UI_PATH + "/data", _read_only(_data_handler(fake)))
