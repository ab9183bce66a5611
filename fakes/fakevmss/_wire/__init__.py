"""The fake's wire layer: ARM routing, api-version rules, validation, serialisation, paging."""

from fakevmss._wire._app import WireApp

__all__ = ["WireApp"]
