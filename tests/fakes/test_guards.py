"""The served fake's guards as pure decisions: Host, Origin and Content-Type (no event loop)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from fakevmss.adapters._guards import (
    Authority,
    HostRules,
    RequestFacts,
    one_line,
    parse_allowed_host,
    parse_authority,
    refusal,
    served_authority,
)

SOCK = ("127.0.0.1", 8080)


def facts(**changes: Any) -> RequestFacts:
    base = RequestFacts(
        method="GET",
        path="/_fake/state",
        http_10=False,
        hosts=("127.0.0.1:8080",),
        origins=(),
        content_type=None,
        has_body=False,
        secure=False,
        sockname=SOCK,
    )
    return replace(base, **changes)


def code(refused: Any) -> tuple[int, str] | None:
    return None if refused is None else (refused.status, refused.code)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1:8080", Authority("127.0.0.1", 8080)),
        ("LocalHost:8080", Authority("localhost", 8080)),
        ("example.com", Authority("example.com", 80)),
        ("[::1]:8080", Authority("[::1]", 8080)),
        ("[::1]", Authority("[::1]", 80)),
        ("[::FFFF:127.0.0.1]:1", Authority("[::ffff:127.0.0.1]", 1)),
        ("host:", None),
        ("host:99999", None),
        ("host:8o", None),
        ("host:80:80", None),
        (":80", None),
        ("", None),
        ("[::1", None),
        ("[nope]:80", None),
        ("[::1]x", None),
        ("a b:80", None),
        ("user@host:80", None),
        ("host/path", None),
        ("h\x00st", None),
        ("host:٨٠", None),
    ],
)
def test_parse_authority(value: str, expected: Authority | None) -> None:
    assert parse_authority(value, 80) == expected


def test_parse_allowed_host() -> None:
    assert parse_allowed_host("Fake.Internal") == ("fake.internal", None)
    assert parse_allowed_host("localhost:9000") == ("localhost", 9000)
    assert parse_allowed_host("[fd00::1]:80") == ("[fd00::1]", 80)
    for bad in ("", "*", "*.example", "a b", "host:x", "http://host"):
        with pytest.raises(ValueError, match="not a host name"):
            parse_allowed_host(bad)


def test_loopback_rules_accept_the_loopback_names_on_the_bound_port_only() -> None:
    rules = HostRules("127.0.0.1", 8080, ())
    for name in ("127.0.0.1", "localhost", "[::1]"):
        assert rules.accepts(Authority(name, 8080))
        assert not rules.accepts(Authority(name, 8081))
    assert not rules.accepts(Authority("evil.example", 8080))
    assert rules.served == Authority("127.0.0.1", 8080)


def test_non_loopback_rules_accept_only_the_address_and_allowed_names() -> None:
    rules = HostRules("10.1.2.3", 80, (("fake", None), ("proxy.example", 9000)))
    assert rules.accepts(Authority("10.1.2.3", 80))
    assert not rules.accepts(Authority("localhost", 80))
    assert rules.accepts(Authority("fake", 80))
    assert rules.accepts(Authority("proxy.example", 9000))
    assert not rules.accepts(Authority("proxy.example", 80))


def test_ipv6_and_mapped_addresses() -> None:
    v6 = HostRules("::1", 5000, ())
    assert v6.accepts(Authority("[::1]", 5000)) and v6.accepts(Authority("localhost", 5000))
    assert str(v6.served) == "[::1]:5000"
    mapped = HostRules("::ffff:127.0.0.1", 5000, ())
    assert mapped.accepts(Authority("127.0.0.1", 5000))
    assert mapped.accepts(Authority("[::ffff:127.0.0.1]", 5000))
    assert mapped.served == Authority("127.0.0.1", 5000)


def test_served_authority() -> None:
    assert served_authority(("127.0.0.1", 80)) == "127.0.0.1:80"
    assert served_authority(("::1", 80, 0, 0)) == "[::1]:80"
    assert served_authority("/tmp/fake.sock") is None
    assert served_authority(None) is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, None),
        ({"hosts": ("localhost:8080",)}, None),
        ({"hosts": ("evil.example:8080",)}, (421, "HostNotAllowed")),
        ({"hosts": ("127.0.0.1:9999",)}, (421, "HostNotAllowed")),
        ({"hosts": ("127.0.0.1",)}, (421, "HostNotAllowed")),  # port 80, not the bound one
        ({"hosts": ("a", "b")}, (400, "InvalidHostHeader")),
        ({"hosts": ("bad host",)}, (400, "InvalidHostHeader")),
        ({"hosts": ()}, (400, "InvalidHostHeader")),
        ({"hosts": (), "http_10": True}, None),
        ({"sockname": None}, (421, "HostNotAllowed")),  # the connection went away: fail closed
        ({"sockname": "/tmp/fake.sock", "hosts": ("anything",)}, None),
    ],
)
def test_host_decisions(changes: dict[str, Any], expected: tuple[int, str] | None) -> None:
    assert code(refusal(facts(**changes))) == expected


def test_allowed_hosts_extend_the_host_rule() -> None:
    assert code(refusal(facts(hosts=("fake:8080",)), (("fake", None),))) is None
    assert code(refusal(facts(hosts=("fake:8081",)), (("fake", None),)))
    assert code(refusal(facts(hosts=("fake:9000",)), (("fake", 9000),))) is None


def test_foreign_host_message_names_the_host_and_the_fix() -> None:
    refused = refusal(facts(hosts=("evil.example:8080",)))
    assert refused is not None
    assert "'evil.example:8080'" in refused.message
    assert "http://127.0.0.1:8080" in refused.message
    assert "--allow-host" in refused.message
    assert set(refused.body()) == {"error"}


@pytest.mark.parametrize(
    ("origins", "expected"),
    [
        (("http://127.0.0.1:8080",), None),
        (("http://localhost:8080",), None),
        (("http://evil.example",), (403, "CrossOriginRequestRefused")),
        (("http://127.0.0.1:9999",), (403, "CrossOriginRequestRefused")),
        (("https://127.0.0.1:8080",), (403, "CrossOriginRequestRefused")),
        (("null",), (403, "CrossOriginRequestRefused")),
        (("http://127.0.0.1:8080/path",), (403, "CrossOriginRequestRefused")),
        (("http://127.0.0.1:8080", "http://127.0.0.1:8080"), (403, "CrossOriginRequestRefused")),
    ],
)
def test_origin_decisions(origins: tuple[str, ...], expected: Any) -> None:
    assert code(refusal(facts(origins=origins))) == expected
    assert code(refusal(facts(origins=origins, path="/subscriptions/s"))) == expected


REFUSED_415 = (415, "UnsupportedMediaType")


@pytest.mark.parametrize(
    ("method", "path", "content_type", "has_body", "expected"),
    [
        ("POST", "/_fake/faults", "application/json", True, None),
        ("POST", "/_fake/faults", "Application/JSON; charset=utf-8", True, None),
        ("POST", "/_fake/faults", "text/plain", True, REFUSED_415),
        ("POST", "/_fake/faults", "text/plain;charset=UTF-8", True, REFUSED_415),
        ("POST", "/_fake/reset", "application/x-www-form-urlencoded", False, REFUSED_415),
        ("POST", "/_fake/reset", "multipart/form-data; boundary=x", False, REFUSED_415),
        ("PUT", "/_fake/faults", "application/octet-stream", True, REFUSED_415),
        ("DELETE", "/_fake/faults", None, True, REFUSED_415),
        ("PATCH", "/_fake/x", "application/jsonx", True, REFUSED_415),
        ("POST", "/_fake/reset", None, False, None),
        ("POST", "/_fake/reset", "application/octet-stream", False, None),
        ("GET", "/_fake/state", "text/plain", True, None),
        ("POST", "/subscriptions/s/x", "text/plain", True, None),
    ],
)  # fmt: skip
def test_content_type_decisions(
    method: str, path: str, content_type: str | None, has_body: bool, expected: Any
) -> None:
    changes = {"method": method, "path": path, "content_type": content_type, "has_body": has_body}
    assert code(refusal(facts(**changes))) == expected


def test_unsupported_media_type_says_how_to_send_json() -> None:
    refused = refusal(facts(method="POST", content_type="text/plain", has_body=True))
    assert refused is not None
    assert "'text/plain'" in refused.message and "--json" in refused.message


def test_one_line_flattens_escapes_and_bounds() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert one_line("x\x1by") == "x\\x1by"
    assert len(one_line("z" * 500)) == 100 and one_line("z" * 500).endswith("...")
