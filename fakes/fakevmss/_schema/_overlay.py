"""What the fake knows beyond Microsoft's published files, applied over the generated schema.

The Resilient create and delete page is the behaviour the fake follows, and where it documents
more than an api-version's published OpenAPI file, the page wins (docs/fake/strictness.md):

- 2023-07-01: the file lacks ``resiliencyPolicy`` (in the scale set's properties and in the
  PATCH body's); the page configures both policies at this version.
- 2024-07-01: the file lacks ``resilientVMDeletionStatus`` on a scale set VM and the
  ``resiliencyView`` value of ``$expand`` on GET VM (both first appear in the 2024-11-01 file);
  the page documents both at 2024-07-01.

Both versions, where the service is known to accept more than the files describe:

- ``zones`` in a PATCH body (``VirtualMachineScaleSetUpdate``): the service expands a scale set
  to more zones that way from api-version 2023-03-01 (azure-cli #28900), and Microsoft's own
  2024-07-01 example ``VirtualMachineScaleSet_Update_MaximumSet_Gen`` sends it;
- ``applicationProfile`` in a PATCH body's ``virtualMachineProfile``: the service accepts it
  (azure-rest-api-specs #36582).

Every version: the service never returns ``customData`` (OS profile) or extensions'
``protectedSettings``, although these files mark only ``adminPassword`` as ``x-ms-secret``; the
fake treats all three as secrets (accepted, stored, never shown).

Each entry is in the generated modules' notation (see ``fakevmss._schema``).
"""

from __future__ import annotations

__all__ = ["EXPAND", "SECRET_MEMBERS", "VERSION_DEFINITIONS", "VERSION_ENUMS"]

_POLICIES = {
    "ResiliencyPolicy": {
        "resilientVMCreationPolicy": "#ResilientVMCreationPolicy",
        "resilientVMDeletionPolicy": "#ResilientVMDeletionPolicy",
    },
    "ResilientVMCreationPolicy": {"enabled": "boolean"},
    "ResilientVMDeletionPolicy": {"enabled": "boolean"},
}

_WIDER = {
    "VirtualMachineScaleSetUpdate": {"zones": "[string]"},
    "VirtualMachineScaleSetUpdateVMProfile": {"applicationProfile": "#ApplicationProfile"},
}

#: Definitions (or members of existing ones) added per api-version.
VERSION_DEFINITIONS: dict[str, dict[str, dict[str, str]]] = {
    "2023-07-01": {
        **_POLICIES,
        **_WIDER,
        "VirtualMachineScaleSetProperties": {"resiliencyPolicy": "#ResiliencyPolicy"},
        "VirtualMachineScaleSetUpdateProperties": {"resiliencyPolicy": "#ResiliencyPolicy"},
    },
    "2024-07-01": {
        **_WIDER,
        "VirtualMachineScaleSetVMProperties": {
            "resilientVMDeletionStatus": "enum:ResilientVMDeletionStatus ro",
        },
    },
}

#: Enums added per api-version (the values are the page's; the 2024-11-01 file has the same).
VERSION_ENUMS: dict[str, dict[str, str]] = {
    "2024-07-01": {"ResilientVMDeletionStatus": "open:Enabled|Disabled|InProgress|Failed"},
}

#: ``$expand`` values added per api-version and operation.
EXPAND: dict[str, dict[str, tuple[str, ...]]] = {
    "2024-07-01": {"VirtualMachineScaleSetVMs_Get": ("resiliencyView",)},
}

#: Members (by name, in any definition) the service accepts but never returns.
SECRET_MEMBERS = frozenset({"customData", "protectedSettings"})
