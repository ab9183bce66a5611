"""Path names checked as ARM and the Compute provider check them (docs/fake/strictness.md).

- ``subscriptionId``: a GUID, else 400 ``InvalidSubscriptionId`` with ARM's message.
- ``resourceGroupName``: 1-90 letters (any script), digits, ``_ ( ) - .``, not ending in a
  period, else 400 ``InvalidResourceGroup`` with ARM's message naming the bad characters.
- ``vmScaleSetName``: Compute's entity-name rule (a letter or digit first, then letters,
  digits, ``_ - .``, not ending in ``-`` or ``.``) at 1-64 characters, else 400
  ``InvalidParameter`` targeting ``vmScaleSetName`` in Compute's message form.
- anything else (instance ids, locations, operation ids, feature names): not empty, ``.``
  or ``..``, at most 256 characters, no control characters, none of ``/``, backslash, ``?``,
  ``#`` or ``%``, else 400 ``InvalidResourceName``.

These rules also keep a decoded ``%2F`` or ``..`` from ever reaching the fake's state.
"""

from __future__ import annotations

import re

from fakevmss._errors import (
    INVALID_RESOURCE_GROUP,
    INVALID_RESOURCE_NAME,
    INVALID_SUBSCRIPTION_ID,
    ArmException,
    invalid_parameter,
)

__all__ = ["SCALE_SET_NAME_RULE", "check_name"]

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_GROUP_CHAR = re.compile(r"[-\w.()]")
_GROUP_LIMIT = 90
#: Compute's entity-name rule with the 64-character limit of Microsoft's naming rules page.
SCALE_SET_NAME_RULE = r"^[^_\W][\w-._]{0,63}(?<![-.])$"
_SCALE_SET_NAME = re.compile(r"[^_\W][\w\-._]{0,63}(?<![-.])")
_CONTROL_CHAR = re.compile("[\x00-\x1f\x7f]")
_FORBIDDEN_CHAR = re.compile(r"[/\\?#%]")
_DEFAULT_LIMIT = 256


def _shown(value: str) -> str:
    return value[:100]


def check_subscription(value: str) -> str:
    """``value`` if it is a GUID; else 400 ``InvalidSubscriptionId``."""
    if _GUID.fullmatch(value) is None:
        raise ArmException(
            400,
            INVALID_SUBSCRIPTION_ID,
            f"The provided subscription identifier '{_shown(value)}' is malformed or invalid.",
        )
    return value


def check_resource_group(value: str) -> str:
    """``value`` if it is a valid resource group name; else 400 ``InvalidResourceGroup``."""
    bad = "".join(dict.fromkeys(ch for ch in value if _GROUP_CHAR.fullmatch(ch) is None))
    problem = None
    if bad or not value:
        problem = (
            f"has these invalid characters: '{_shown(bad)}'. The name can only be a letter, "
            "digit, '-', '.', '(', ')' or '_'"
        )
    elif value.endswith("."):
        problem = "ends with a period, which is not allowed"
    elif len(value) > _GROUP_LIMIT:
        problem = f"is longer than {_GROUP_LIMIT} characters"
    if problem is not None:
        raise ArmException(
            400,
            INVALID_RESOURCE_GROUP,
            f"The provided resource group name '{_shown(value)}' {problem}.",
            target="resourceGroupName",
        )
    return value


def check_scale_set_name(value: str) -> str:
    """``value`` if Compute accepts it as a scale set name; else 400 ``InvalidParameter``."""
    if _SCALE_SET_NAME.fullmatch(value) is None:
        raise invalid_parameter(
            "vmScaleSetName",
            "The entity name 'vmScaleSetName' is invalid according to its validation rule: "
            f"{SCALE_SET_NAME_RULE}.",
        )
    return value


def _check_other(param: str, value: str) -> str:
    problem = None
    if value in ("", ".", ".."):
        problem = "must not be empty, '.' or '..'"
    elif len(value) > _DEFAULT_LIMIT:
        problem = f"must be at most {_DEFAULT_LIMIT} characters"
    elif _CONTROL_CHAR.search(value) is not None:
        problem = "must not contain control characters"
    elif _FORBIDDEN_CHAR.search(value) is not None:
        problem = "must not contain '/', '\\', '?', '#' or '%'"
    if problem is not None:
        raise ArmException(
            400,
            INVALID_RESOURCE_NAME,
            f"The resource name '{_shown(value)}' for {param} is invalid: it {problem}.",
            target=param,
        )
    return value


_CHECKS = {
    "subscriptionId": check_subscription,
    "resourceGroupName": check_resource_group,
    "vmScaleSetName": check_scale_set_name,
}


def check_name(param: str, value: str) -> str:
    """``value`` if it is a valid path name for ARM parameter ``param``.

    Raises:
        ArmException: 400 ``InvalidSubscriptionId``, ``InvalidResourceGroup``,
            ``InvalidParameter`` or ``InvalidResourceName`` (see the module docstring).
    """
    check = _CHECKS.get(param)
    return check(value) if check is not None else _check_other(param, value)
