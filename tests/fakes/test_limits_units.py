"""The limits' pure parts: settings validation, the two counters, principals, the charge table."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest

from fakevmss import Limits, Policy
from fakevmss._limits import (
    DEFAULT_POLICIES,
    FALLBACK,
    PrincipalNames,
    SlidingWindow,
    TokenBucket,
    jwt_principal,
    kind_of,
    vm_count,
)
from fakevmss._wire._endpoints import ENDPOINTS


def jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.signature"


# -- Limits ---------------------------------------------------------------------------------


def test_defaults_are_the_published_numbers() -> None:
    limits = Limits()
    assert (limits.reads_capacity, limits.reads_refill) == (250, 25)
    assert (limits.writes_capacity, limits.writes_refill) == (200, 10)
    assert (limits.deletes_capacity, limits.deletes_refill) == (200, 10)
    assert limits.global_multiplier == 15
    assert limits.policy("HighCostGet30Min") == Policy("HighCostGet30Min", 1800, 800)


@pytest.mark.parametrize(
    "field", ["reads_capacity", "reads_refill", "writes_refill", "deletes_capacity"]
)
@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf")])
def test_zero_negative_or_infinite_numbers_are_refused(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"Limits.{field} must be a positive finite number"):
        Limits(**{field: value})  # type: ignore[arg-type]


def test_wrong_types_and_small_global_multiplier_are_refused() -> None:
    with pytest.raises(TypeError, match="reads_refill must be a number"):
        Limits(reads_refill="25")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a number"):
        Limits(reads_capacity=True)
    with pytest.raises(ValueError, match="global_multiplier must be at least 1"):
        Limits(global_multiplier=0.5)
    with pytest.raises(TypeError, match="Policy objects"):
        Limits(policies=("HighCostGet3Min",))  # type: ignore[arg-type]


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="limit must be an int of at least 1"):
        Policy("P3Min", 180, 0)
    with pytest.raises(ValueError, match="seconds must be a positive"):
        Policy("P3Min", -1, 5)
    with pytest.raises(ValueError, match="letters and digits"):
        Policy("Bad;Name", 180, 5)
    with pytest.raises(ValueError, match="names a policy twice"):
        Limits(policies=(Policy("A", 1, 1), Policy("A", 2, 2)))
    with pytest.raises(ValueError, match="give both seconds= and limit="):
        Limits().with_policy("New5Min", limit=3)


def test_with_policy_changes_one_policy_and_adds_new_ones() -> None:
    limits = (
        Limits().with_policy("HighCostGet3Min", limit=5).with_policy("X1Min", seconds=60, limit=2)
    )
    assert limits.policy("HighCostGet3Min") == Policy("HighCostGet3Min", 180, 5)
    assert limits.policy("X1Min") == Policy("X1Min", 60, 2)
    assert Limits().policy("HighCostGet3Min") == Policy("HighCostGet3Min", 180, 160)
    assert Limits().without_policies().policies == ()
    assert dataclasses.replace(Limits(), reads_refill=1).reads_refill == 1


# -- counters -------------------------------------------------------------------------------


def test_token_bucket_drains_and_refills_at_its_rate() -> None:
    bucket = TokenBucket(capacity=3, refill=0.5, now=0)
    for _ in range(3):
        assert bucket.wait(0) == 0
        bucket.take(0)
    assert bucket.wait(0) == pytest.approx(2.0)  # one token at 0.5 per second
    assert bucket.wait(1) == pytest.approx(1.0)
    assert bucket.level(100) == 3  # never above capacity
    assert bucket.level(50) == 3  # an earlier time adds nothing


def test_sliding_window_frees_charges_as_they_leave_it() -> None:
    window = SlidingWindow(seconds=60, limit=3)
    window.add(0, 1)
    assert window.wait(10, 1) == 0
    window.add(10, 2)
    assert window.remaining(10) == 0
    assert window.wait(20, 1) == pytest.approx(40)  # the charge of t=0 leaves at t=60
    assert window.wait(20, 3) == pytest.approx(50)  # all three: the t=10 charges leave at 70
    assert window.remaining(60) == 1
    assert window.oldest(60) == 10
    assert window.remaining(70) == 3


def test_a_charge_over_the_whole_limit_fits_an_empty_window_only() -> None:
    window = SlidingWindow(seconds=60, limit=3)
    assert window.wait(0, 10) == 0
    window.add(0, 10)
    assert window.remaining(0) == 0
    assert window.wait(1, 1) == pytest.approx(59)


# -- principals -----------------------------------------------------------------------------


def test_a_jwt_names_its_object_id_else_its_subject() -> None:
    assert jwt_principal(jwt({"oid": "obj-1", "sub": "s"})) == "obj-1"
    assert jwt_principal(jwt({"sub": "subject-2"})) == "subject-2"
    assert jwt_principal(jwt({"oid": 5})) is None
    assert jwt_principal(jwt({"oid": "bad name with spaces"})) is None
    assert jwt_principal("opaque") is None
    assert jwt_principal("a.!!!.c") is None
    assert jwt_principal("a." + base64.urlsafe_b64encode(b"[1]").decode() + ".c") is None


def test_opaque_tokens_use_the_header_else_a_hash_never_the_token() -> None:
    names = PrincipalNames()
    assert names.of("secret-token", "team-a") == "team-a"
    hashed = names.of("secret-token", None)
    assert hashed.startswith("token-") and "secret" not in hashed
    assert names.of("secret-token", "bad header;") == hashed
    assert names.of(jwt({"oid": "obj-1"}), "team-a") == "obj-1"  # the token's claim wins
    assert "secret" not in repr(names)


# -- the charge table -----------------------------------------------------------------------


def test_every_charged_policy_exists() -> None:
    names = {p.name for p in DEFAULT_POLICIES}
    charged = [(e.name, e.throttling) for e in ENDPOINTS if e.throttling is not None]
    assert len(charged) >= 10  # every operation with a charge of its own (docs/fake/limits.md)
    for key, charge in [*charged, *FALLBACK.items()]:
        for policy in (*charge.policies, *charge.per_vm, *(charge.instance_view or ())):
            assert policy in names, (key, policy)
    assert all("Microsoft.Compute" in e.template for e in ENDPOINTS if e.throttling is not None)


def test_kinds_and_vm_counts() -> None:
    assert [kind_of(m) for m in ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE")] == [
        "reads", "reads", "writes", "writes", "writes", "deletes",
    ]  # fmt: skip
    assert vm_count(b'{"instanceIds": ["0", "1", "2"]}') == 3
    assert vm_count(b'{"instanceIds": []}') == 1
    assert vm_count(b'{"instanceIds": "0"}') == 1
    assert vm_count(b"{not json instanceIds") == 1
    assert vm_count(b"") == 1
