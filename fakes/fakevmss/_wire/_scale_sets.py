"""Handlers for scale set operations: create/update, update, get, list, delete, delete instances."""

from __future__ import annotations

from fakevmss._http import WireResponse
from fakevmss._wire._call import (
    EXPAND_SCALE_SET,
    Call,
    Env,
    etag_headers,
    json_response,
    parse_expand,
)
from fakevmss._wire._links import decode_skiptoken, encode_skiptoken, page_after
from fakevmss._wire._serialize import scale_set_json
from fakevmss._wire._types import ScaleSetLike
from fakevmss._wire._validate import (
    parse_bool_flag,
    validate_instance_ids,
    validate_scale_set_body,
)
from fakevmss._wire._versions import has_etag

__all__ = [
    "create_or_update",
    "delete_instances",
    "delete_scale_set",
    "get_scale_set",
    "list_scale_sets",
    "update",
]


def _precondition(call: Call, header: str) -> str | None:
    """An ``If-Match``/``If-None-Match`` header, honoured from api-version 2024-07-01 only."""
    return call.request.header(header) if has_etag(call.version) else None


def create_or_update(env: Env, call: Call) -> WireResponse:
    """``PUT S/{name}``: 201 (new) or 200, the body, and ``Azure-AsyncOperation``."""
    assert call.body is not None
    doc = validate_scale_set_body(call.body, put=True)
    scale_set, created, operation = env.backend.sets.put(
        *call.key,
        doc,
        if_match=_precondition(call, "If-Match"),
        if_none_match=_precondition(call, "If-None-Match"),
    )
    body = scale_set_json(scale_set, env.clock, etag=has_etag(call.version))
    headers = etag_headers(body, env.lro_headers(call, operation))
    return json_response(201 if created else 200, body, headers)


def update(env: Env, call: Call) -> WireResponse:
    """``PATCH S/{name}``: 200, the body, ``Azure-AsyncOperation`` and ``Location``."""
    assert call.body is not None
    patch = validate_scale_set_body(call.body, put=False)
    scale_set, operation = env.backend.sets.patch(
        *call.key,
        patch,
        if_match=_precondition(call, "If-Match"),
        if_none_match=_precondition(call, "If-None-Match"),
    )
    body = scale_set_json(scale_set, env.clock, etag=has_etag(call.version))
    return json_response(200, body, etag_headers(body, env.lro_headers(call, operation)))


def get_scale_set(env: Env, call: Call) -> WireResponse:
    """``GET S/{name}`` (``$expand=userData``)."""
    expand = parse_expand(call, EXPAND_SCALE_SET)
    scale_set = env.backend.sets.get(*call.key)
    body = scale_set_json(
        scale_set, env.clock, etag=has_etag(call.version), user_data="userdata" in expand
    )
    return json_response(200, body, etag_headers(body))


def _sort_key(scale_set: ScaleSetLike) -> tuple[str, str]:
    return scale_set.resource_group.lower(), scale_set.name.lower()


def list_scale_sets(env: Env, call: Call) -> WireResponse:
    """``GET S`` or the subscription-wide list: one page and an absolute ``nextLink``."""
    token = call.arg("$skiptoken")
    after = decode_skiptoken(token, 2) if token is not None else None
    items = env.backend.sets.list(call.sub, call.params.get("resourceGroupName"))
    page, last = page_after(items, _sort_key, after, env.page_size)
    etag = has_etag(call.version)
    body: dict[str, object] = {"value": [scale_set_json(s, env.clock, etag=etag) for s in page]}
    if last is not None:
        body["nextLink"] = call.origin.next_link(call.path, call.query, encode_skiptoken(last))
    return json_response(200, body)


def delete_scale_set(env: Env, call: Call) -> WireResponse:
    """``DELETE S/{name}``: 202 with the LRO headers, or 204 when there is nothing to delete."""
    force = parse_bool_flag("forceDeletion", call.arg("forceDeletion"))
    operation = env.backend.sets.delete(*call.key, force=force)
    if operation is None:
        return json_response(204)
    return json_response(202, None, env.lro_headers(call, operation))


def delete_instances(env: Env, call: Call) -> WireResponse:
    """``POST S/{name}/delete`` with ``{"instanceIds": [...]}``: 202 with the LRO headers."""
    assert call.body is not None
    force = parse_bool_flag("forceDeletion", call.arg("forceDeletion"))
    instance_ids = validate_instance_ids(call.body)
    operation = env.backend.sets.delete_instances(*call.key, instance_ids, force=force)
    return json_response(202, None, env.lro_headers(call, operation))
