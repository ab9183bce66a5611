"""What every operation group shares: one operation's request, built and sent.

``OperationContext.prepare`` turns an :class:`~aiovmss._operation.Operation` and the caller's
arguments into a :class:`PreparedRequest` without sending anything (every check and every
api-version gate happens there, so a refused call sends nothing); ``call`` and ``paged`` send
it. The operation groups are thin, typed methods over these two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from urllib.parse import quote

from aiovmss._lro import PollingSettings
from aiovmss._names import validate_instance_ids, validate_name
from aiovmss._operation import Operation, check_param
from aiovmss._paging import AsyncPaged, PageParser, model_page_parser
from aiovmss._polling import AsyncLROPoller
from aiovmss._versions import ApiVersion
from aiovmss.models import (
    OSProfileProvisioningData,
    VirtualMachineScaleSetVMInstanceIDs,
    VirtualMachineScaleSetVMInstanceRequiredIDs,
)

if TYPE_CHECKING:
    from aiovmss._pipeline import Pipeline
    from aiovmss.models import ArmModel, Page

__all__ = [
    "OperationContext",
    "PreparedRequest",
    "check_bool",
    "check_optional_str",
    "coerce_body",
    "expand_values",
    "instance_ids_body",
    "names",
    "reimage_body",
    "required_ids_body",
]

M = TypeVar("M", bound="ArmModel")
R = TypeVar("R")
T = TypeVar("T")
Item = TypeVar("Item", bound="ArmModel")


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


@lru_cache(maxsize=32)
def _page_parser(page_model: type[ArmModel]) -> PageParser[Any]:
    return model_page_parser(page_model)


def instance_ids_body(value: object) -> VirtualMachineScaleSetVMInstanceIDs | None:
    """The body of an action on some VMs: None (every VM) or ``{"instanceIds": [...]}``.

    Raises:
        TypeError: ``value`` is a str, not iterable, or holds a non-str item.
        ValueError: ``value`` is empty (say None for every VM).
    """
    if value is None:
        return None
    ids = validate_instance_ids("instance_ids", value)
    return VirtualMachineScaleSetVMInstanceIDs(instance_ids=ids)


def required_ids_body(value: object) -> VirtualMachineScaleSetVMInstanceRequiredIDs:
    """The body of an action that needs instance ids (delete instances, update instances).

    Raises:
        TypeError, ValueError: as :func:`~aiovmss._names.validate_instance_ids`.
    """
    ids = validate_instance_ids("instance_ids", value)
    return VirtualMachineScaleSetVMInstanceRequiredIDs(instance_ids=ids)


def reimage_body(
    model: type[M],
    *,
    instance_ids: object = None,
    temp_disk: object = None,
    exact_version: object = None,
    os_profile: object = None,
    force_update_os_disk_for_ephemeral: object = None,
) -> M | None:
    """A reimage body of ``model`` with the members given (None: no body, the defaults).

    Raises:
        TypeError: a member of the wrong type (``temp_disk="yes"``), or bad instance ids.
        ValueError: empty instance ids.
    """
    values: dict[str, Any] = {}
    if instance_ids is not None:
        values["instance_ids"] = validate_instance_ids("instance_ids", instance_ids)
    for name, flag in (
        ("temp_disk", temp_disk),
        ("force_update_os_disk_for_ephemeral", force_update_os_disk_for_ephemeral),
    ):
        if flag is not None:
            values[name] = check_bool(name, flag)
    if exact_version is not None:
        values["exact_version"] = check_optional_str("exact_version", exact_version)
    if os_profile is not None:
        values["os_profile"] = coerce_body(OSProfileProvisioningData, os_profile, "os_profile")
    return model(**values) if values else None


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
    # Derived once: every request starts with the root and the client's api-version.
    _root: str = field(init=False, repr=False)
    _version: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        root = f"{self.base_url}/subscriptions/{_quoted(self.subscription_id)}"
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_version", self.api_version.value)

    def prepare(
        self,
        operation: Operation[Any],
        path_names: Sequence[object],
        args: Mapping[str, object],
        body: object = None,
    ) -> PreparedRequest:
        """Check everything and build the request of ``operation``; nothing is sent.

        ``path_names`` fill the operation's scope in order; ``args`` are its parameters by
        argument name (a value of None is not sent); ``body`` a model or a dict. The URL has
        ``api-version`` first, then the query parameters in their declared order.

        Every request goes through here, GET of one VM included: it builds strings directly
        and returns a tuple (``benchmarks/client_bench.py``, GET and list cases).

        Raises:
            ApiVersionError: the operation, a parameter given or a body member needs a later
                api-version than the client's.
            InvalidNameError: a name is not a safe path segment.
            TypeError: a name, parameter or body of the wrong type.
            pydantic.ValidationError: a dict body that does not fit the body model.
        """
        if operation.since is not None:
            self.api_version.require_since(operation.since, operation.name)
        scope = operation.scope
        path_names = tuple(path_names)
        path = self._root + scope.render_path(_segments(scope.kinds, path_names))
        version = f"?api-version={_quoted(operation.api_version or self._version)}"
        query = version
        headers: dict[str, str] | None = None
        for param in operation.params:
            value = args.get(param.arg)
            if value is None and not param.always:
                continue  # the common case, without a call
            text = check_param(param, value)
            if text is None:
                continue
            if param.since is not None:
                self.api_version.require_since(param.since, param.wire)
            if param.where == "query":
                query = f"{query}&{param.wire}={quote(text, safe='')}"
            elif headers is None:
                headers = {param.wire: text}
            else:
                headers[param.wire] = text
        url = f"{path}{operation.suffix}{query}"
        return PreparedRequest(
            url,
            f"{path}{version}" if operation.long_running else url,
            scope.render_label(path_names) if scope.kinds else self.subscription_id,
            headers,
            self._body(operation, body) if operation.body is not None else None,
        )

    def _body(self, operation: Operation[Any], body: object) -> Any:
        """The JSON body of ``operation`` (None: none sent), its members gated by version."""
        if operation.body is None or (body is None and not operation.body_required):
            return None
        wire = coerce_body(operation.body, body, "body").to_wire()
        for member, since in operation.body_since:
            if member in wire:
                self.api_version.require_since(since, member)
        return wire

    async def fetch(
        self,
        operation: Operation[R],
        path_names: Sequence[object],
        body: object = None,
        **args: Any,
    ) -> R:
        """Send ``operation`` (not long-running) and return its decoded result."""
        assert operation.result is not None and not operation.long_running, operation.name
        request = self.prepare(operation, path_names, args, body)
        decode: Callable[[bytes], R] = operation.result.from_wire  # type: ignore[attr-defined]
        return await self.pipeline.send_decoded(
            operation.method,
            request.url,
            decode,
            json=request.json,
            headers=request.headers,
            operation=operation.name,
            resource=request.resource,
        )

    async def begin(
        self,
        operation: Operation[R],
        path_names: Sequence[object],
        body: object = None,
        **args: Any,
    ) -> AsyncLROPoller[R]:
        """Send the request that starts a long-running ``operation``; return its poller."""
        assert operation.long_running, operation.name
        request = self.prepare(operation, path_names, args, body)
        response = await self.pipeline.send(
            operation.method,
            request.url,
            json=request.json,
            headers=request.headers,
            operation=operation.name,
            resource=request.resource,
        )
        final = operation.final_state_via
        poller: AsyncLROPoller[R] = AsyncLROPoller.from_response(
            self.pipeline,
            self.polling,
            response,
            method=operation.method,
            url=request.resource_url,
            operation=operation.name,
            resource=request.resource,
            result=operation.result,  # type: ignore[arg-type]
            api_version=operation.api_version or self._version,
            final_state_via=None if final is None else final.value,
        )
        return poller

    def paged(
        self, operation: Operation[Page[Item]], path_names: Sequence[object], **args: Any
    ) -> AsyncPaged[Item]:
        """The items of a list ``operation``, page by page (nothing is sent before iteration)."""
        assert operation.paged and operation.result is not None, operation.name
        return self.paged_with(operation, path_names, _page_parser(operation.result), **args)

    def paged_with(
        self,
        operation: Operation[Any],
        path_names: Sequence[object],
        parse: PageParser[T],
        **args: Any,
    ) -> AsyncPaged[T]:
        """The items of a list ``operation``, each page parsed by ``parse`` (not its models).

        The same request, checks, paging, origin rules and retries as :meth:`paged`; the
        waiters use it to read lean views of a listing (``aiovmss._states``).
        """
        assert operation.paged, operation.name
        request = self.prepare(operation, path_names, args)
        return AsyncPaged(
            self.pipeline,
            request.url,
            parse,
            api_version=operation.api_version or self._version,
            operation=operation.name,
            resource=request.resource,
        )


class PreparedRequest(NamedTuple):
    """One checked request, ready to send; ``resource_url`` is what a poller reads."""

    url: str
    resource_url: str
    resource: str
    headers: dict[str, str] | None
    json: Any


def _segments(kinds: tuple[str, ...], values: tuple[object, ...]) -> tuple[str, ...]:
    """Each of ``values`` checked as a ``kinds`` name and percent-encoded for a path.

    Raises:
        TypeError: a value is not a str, or there are not as many values as kinds.
        InvalidNameError: a value is not a safe path segment.
    """
    if len(values) != len(kinds):
        raise TypeError(f"expected {len(kinds)} names ({', '.join(kinds)}), got {len(values)}")
    try:
        return tuple(map(_segment, kinds, values))  # every request: cached, mapped in C
    except TypeError:  # not a str (maybe unhashable): the check says what is wrong
        return tuple(
            quote(validate_name(k, v), safe="") for k, v in zip(kinds, values, strict=True)
        )


def names(*pairs: tuple[str, object]) -> list[str]:
    """Validate ``(kind, value)`` pairs and return the values percent-encoded for a path."""
    return list(_segments(tuple(kind for kind, _ in pairs), tuple(value for _, value in pairs)))
