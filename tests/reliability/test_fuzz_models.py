"""Fuzzing the client's model parsing: any JSON into every model's ``from_wire``.

The only acceptable outcomes are a model or a pydantic ``ValidationError`` (a ``ValueError``),
and no error text (``str``, ``repr``, ``errors()``) ever carries a secret value.
"""

from __future__ import annotations

import inspect
import json
import random
from typing import Any

import pytest
from fuzz_support import CANARY, random_json, scale_set_body
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aiovmss import models
from aiovmss.models import ArmModel

MODELS = sorted(
    (
        obj
        for obj in vars(models).values()
        if inspect.isclass(obj) and issubclass(obj, ArmModel) and obj is not ArmModel
    ),
    key=lambda cls: cls.__name__,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.just(CANARY),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["properties", "sku", "name", "instanceId", "provisioningState",
                         "resilientVMDeletionStatus", "osProfile", "adminPassword", "customData",
                         "value", "nextLink", "error", "status", "capacity", "x"]),
        children, max_size=5,
    ),
    max_leaves=25,
)  # fmt: skip


def _parse(model: type[ArmModel], data: Any) -> None:
    """``model.from_wire(data)``: fine if it parses or raises ValidationError, never leaks."""
    try:
        parsed = model.from_wire(data)
    except ValidationError as exc:
        # ``exc.errors()`` carries the input by pydantic's design; the message never does.
        for text in (str(exc), repr(exc)):
            assert CANARY not in text, f"{model.__name__} error leaks a secret"
        return
    if CANARY not in json.dumps(_without_secrets(data), default=str):
        # the canary only sat under secret keys: the repr must not show it
        text = repr(parsed) + str(parsed)
        assert CANARY not in text, f"{model.__name__} repr leaks a secret"


def _without_secrets(data: Any) -> Any:
    """``data`` with every value under a secret key dropped."""
    if isinstance(data, dict):
        return {
            k: _without_secrets(v)
            for k, v in data.items()
            if str(k).casefold() not in ("adminpassword", "customdata")
        }
    if isinstance(data, list):
        return [_without_secrets(v) for v in data]
    return data


def test_every_model_is_fuzzed() -> None:
    names = {cls.__name__ for cls in MODELS}
    assert {"VirtualMachineScaleSet", "VirtualMachineScaleSetVM", "OperationStatus"} <= names
    assert len(MODELS) >= 30


@pytest.mark.parametrize("model", MODELS, ids=lambda cls: cls.__name__)
def test_random_json_into_model(model: type[ArmModel]) -> None:
    rng = random.Random(model.__name__)
    for _ in range(150):
        data = random_json(rng)
        _parse(model, data)
        _parse(model, json.dumps(data).encode("utf-8", errors="surrogatepass"))
    _parse(model, b"\xff\xfe not json")
    _parse(model, b'{"a": NaN}')
    _parse(model, b"[" * 10_000 + b"]" * 10_000)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(data=JSON, model=st.sampled_from(MODELS))
def test_hypothesis_json_into_model(data: Any, model: type[ArmModel]) -> None:
    _parse(model, data)


@pytest.mark.parametrize("field", ["adminPassword", "customData"])
def test_secret_in_a_wrong_typed_body_never_shows_in_errors(field: str) -> None:
    body = scale_set_body(2)
    os_profile = body["properties"]["virtualMachineProfile"]["osProfile"]
    os_profile[field] = {"nested": CANARY}  # wrong type: a validation error names the field
    body["sku"] = CANARY  # wrong type next to it
    with pytest.raises(ValidationError) as caught:
        models.VirtualMachineScaleSet.from_wire(json.dumps(body))
    assert CANARY not in str(caught.value)
    assert CANARY not in repr(caught.value)
    ok = models.VirtualMachineScaleSet.from_wire(scale_set_body(2))
    assert CANARY not in repr(ok)
    assert CANARY not in str(ok)
    assert CANARY in json.dumps(ok.to_wire())  # still sent
