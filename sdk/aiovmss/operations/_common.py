"""What every operation group shares: URL building, argument checks, LRO start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from aiovmss._lro import PollingSettings
from aiovmss._names import validate_name
from aiovmss._polling import AsyncLROPoller
from aiovmss._versions import ApiVersion

if TYPE_CHECKING:
    from aiovmss._pipeline import Pipeline
    from aiovmss.models import ArmModel

__all__ = [
    "OperationContext",
    "check_bool",
    "check_optional_str",
    "coerce_body",
    "expand_values",
    "force_deletion_param",
    "names",
]

M = TypeVar("M", bound="ArmModel")


# A client sends the same few names, api-versions and subscriptions over and over: each is
# checked and percent-encoded once, then served from a bounded cache (strings only: a bad name
# raises and is never cached).
@lru_cache(maxsize=4096)
def _segment(kind: str, value: str) -> str:
    return quote(validate_name(kind, value), safe="")


@lru_cache(maxsize=64)
def _quoted(value: str) -> str:
    return quote(value, safe="")


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is a bool; else TypeError (``"false"`` would be truthy)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def force_deletion_param(value: object) -> tuple[str, str]:
    """The ``forceDeletion`` query pair as the wire spells it (``"true"``/``"false"``).

    Raises:
        TypeError: ``value`` is not a bool.
    """
    return ("forceDeletion", "true" if check_bool("force_deletion", value) else "false")


def check_optional_str(name: str, value: object) -> str | None:
    """``value`` if it is None or a str; else TypeError."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")
    return value


def expand_values(expand: str | None) -> set[str]:
    """The lower-cased ``$expand`` items (``"instanceView,resiliencyView"`` -> two items)."""
    if not expand:
        return set()
    return {item.strip().lower() for item in expand.split(",") if item.strip()}


def coerce_body(model: type[M], body: object, what: str) -> M:
    """``body`` as a ``model``: a model instance as is, a dict validated into one (fails early).

    Raises:
        TypeError: ``body`` is neither.
        pydantic.ValidationError: the dict does not fit the model.
    """
    if isinstance(body, model):
        return body
    if isinstance(body, Mapping):
        return model.model_validate(dict(body))
    raise TypeError(f"{what} must be a {model.__name__} or a dict, not {type(body).__name__}")


@dataclass(frozen=True, slots=True)
class OperationContext:
    """The client's settings the operation groups need (built once by ``ComputeClient``)."""

    pipeline: Pipeline
    base_url: str
    subscription_id: str
    api_version: ApiVersion
    polling: PollingSettings

    def url(self, path: str, *params: tuple[str, str | None], api_version: str = "") -> str:
        """Absolute URL of ``path`` with ``api-version`` first, then ``params``."""
        version = _quoted(api_version or self.api_version.value)
        url = f"{self.base_url}{path}?api-version={version}"
        for key, value in params:
            if value is not None:
                url = f"{url}&{key}={quote(value, safe='')}"
        return url

    def subscription_path(self) -> str:
        """``/subscriptions/{sub}``."""
        return f"/subscriptions/{_quoted(self.subscription_id)}"

    def require_etag(self, if_match: object, if_none_match: object = None) -> dict[str, str]:
        """If-Match / If-None-Match headers; ApiVersionError below 2024-07-01 (before sending)."""
        headers: dict[str, str] = {}
        for header, value in (("If-Match", if_match), ("If-None-Match", if_none_match)):
            checked = check_optional_str(header.lower().replace("-", "_"), value)
            if checked is not None:
                self.api_version.require("supports_etag", header)
                headers[header] = checked
        return headers

    async def begin(
        self,
        method: str,
        url: str,
        *,
        operation: str,
        resource: str,
        result_type: str | None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        resource_url: str | None = None,
    ) -> AsyncLROPoller[Any]:
        """Send the request that starts a long-running operation and return its poller.

        ``resource_url`` (default ``url``) is what PUT/PATCH fetch at the end.
        """
        response = await self.pipeline.send(
            method, url, json=json, headers=headers, operation=operation, resource=resource
        )
        return AsyncLROPoller.from_response(
            self.pipeline,
            self.polling,
            response,
            method=method,
            url=resource_url or url,
            operation=operation,
            resource=resource,
            result_type=result_type,
            api_version=self.api_version.value,
        )


def names(*pairs: tuple[str, object]) -> list[str]:
    """Validate ``(kind, value)`` pairs and return the values percent-encoded for a path."""
    return [
        _segment(kind, value) if type(value) is str else quote(validate_name(kind, value), safe="")
        for kind, value in pairs
    ]
