"""``ArmModel``: the base of every wire model (aliases, extras, read-only fields, secrets)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Final, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

__all__ = ["READ_ONLY", "SECRET_WIRE_NAMES", "ArmModel"]

READ_ONLY: Final[dict[str, Any]] = {"readOnly": True}
"""``Field(json_schema_extra=READ_ONLY)`` marks a server-set field: ``to_wire`` never sends it."""

SECRET_WIRE_NAMES: Final[frozenset[str]] = frozenset(
    {"adminpassword", "customdata", "protectedsettings", "password"}
)
"""Wire names (case-folded) whose values never appear in a ``repr``, even inside plain dicts."""

_WIRE: Final = "aiovmss.wire"
_REDACTED: Final = "<redacted>"


def _is_read_only(field: FieldInfo) -> bool:
    extra = field.json_schema_extra
    return isinstance(extra, dict) and extra.get("readOnly") is True


def _redact(value: Any) -> Any:
    """``value`` with the values of secret keys in nested dicts and lists masked (for repr)."""
    if isinstance(value, dict):
        return {
            k: _REDACTED if str(k).casefold() in SECRET_WIRE_NAMES else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


class ArmModel(BaseModel):
    """Base of the wire models: camelCase aliases, unknown fields kept, read-only fields marked.

    Attributes are snake_case; their aliases are the wire names. Input is accepted by either.
    Fields the model does not know are kept under their wire names and sent back unchanged.
    Secrets (``adminPassword``, ``customData``) never show in ``repr``/``str`` or in
    validation errors, but are sent by :meth:`to_wire`.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        hide_input_in_errors=True,
        protected_namespaces=(),
        defer_build=True,
    )

    _read_only_keys: ClassVar[tuple[tuple[str, str], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # The alias generator's name, not ``field.alias``: with ``defer_build`` pydantic before
        # 2.12 fills generated aliases in only when the model is first built, after this hook.
        cls._read_only_keys = tuple(
            (name, field.alias or to_camel(name))
            for name, field in cls.model_fields.items()
            if _is_read_only(field)
        )

    @classmethod
    def read_only_fields(cls) -> frozenset[str]:
        """The attribute names of this model's read-only fields (never sent)."""
        return frozenset(name for name, _ in cls._read_only_keys)

    @classmethod
    def from_wire(cls, data: bytes | bytearray | str | Mapping[str, Any] | Self) -> Self:
        """Parse a response body (JSON ``bytes``/``str``) or a decoded ``dict`` into the model.

        Raises:
            pydantic.ValidationError: the data does not fit the model (input values hidden).
        """
        if isinstance(data, bytes | bytearray | str):
            return cls.model_validate_json(data)
        if isinstance(data, Mapping) and not isinstance(data, dict):
            data = dict(data)
        return cls.model_validate(data)

    def to_wire(self) -> dict[str, Any]:
        """The request body: wire names, only the fields that were set, no read-only fields.

        Unknown (extra) fields are included unchanged. Values are JSON-ready (datetimes as
        ISO strings, enums as their canonical spelling).
        """
        return self.model_dump(
            mode="json", by_alias=True, exclude_unset=True, context={_WIRE: True}
        )

    @model_serializer(mode="wrap")
    def _serialize(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        context = info.context
        if self._read_only_keys and isinstance(context, dict) and context.get(_WIRE):
            by_alias = bool(info.by_alias)
            for name, alias in self._read_only_keys:
                data.pop(alias if by_alias else name, None)
        return data

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            # None fields are noise in a repr of a 60-field model; secrets never show.
            if value is None or (name is not None and name.casefold() in SECRET_WIRE_NAMES):
                continue
            yield name, _redact(value)
