"""The desktop helper through real pcscd, vpcd and the virtual card: reading, signing, PIN counter,
and its loopback API's refusals (foreign origin, missing pairing token, wrong host)."""

from __future__ import annotations

import base64

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from card_desktop_helper import protocol as p
from tests.card.support import PAIRING_TOKEN, PIN, READER, SITE_ORIGIN, CardSlot, card_identity


def test_status_lists_the_virtual_readers_and_no_card(helper: httpx.Client) -> None:
    answer = helper.get("/v1/status")
    assert answer.status_code == 200
    assert READER in answer.json()["readers"]
    assert answer.json()["card_present"] is False


def test_sign_answers_certificate_card_data_and_a_signature_by_the_card_key(
        helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(card_identity("operator", holder="李操作", card_no="OP0007"))
    answer = helper.post("/v1/card/sign", json={"pin": PIN, "challenge": "qingling:login:abc123"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["card"]["holder_name"] == "李操作" and body["card"]["card_type"] == "operator"
    assert body["card"]["credit_code"] == "91210242679978245T"
    assert body["reader"] == READER
    cert = x509.load_der_x509_certificate(base64.b64decode(body["certificate"]))
    cert.public_key().verify(base64.b64decode(body["signature"]), b"qingling:login:abc123",
                             ec.ECDSA(hashes.SHA256()))
    assert answer.headers["access-control-allow-origin"] == SITE_ORIGIN


def test_read_gives_the_data_without_signing(helper: httpx.Client, card_slot: CardSlot) -> None:
    applet = card_slot.insert()
    body = helper.post("/v1/card/read", json={"pin": PIN}).json()
    assert body["card"]["enterprise_name"] == "大连测试进出口有限公司" and "signature" not in body
    assert p.INS_SIGN not in applet.commands


def test_wrong_pin_counts_down_then_the_card_blocks(helper: httpx.Client, card_slot: CardSlot) -> None:
    applet = card_slot.insert(tries=3)
    assert helper.get("/v1/status").json()["tries_left"] == 3
    first = helper.post("/v1/card/sign", json={"pin": "000000", "challenge": "x"})
    assert first.status_code == 401
    assert first.json()["error"] == {"code": "wrong_pin", "message": "卡密码错误，还可尝试 2 次", "tries_left": 2}
    assert helper.get("/v1/status").json()["tries_left"] == 2
    last_try = helper.post("/v1/card/sign", json={"pin": "000000", "challenge": "x"}).json()["error"]
    assert last_try == {"code": "wrong_pin", "message": "卡密码错误，还可尝试 1 次：最后一次机会，输错将锁定卡片",
                        "tries_left": 1}
    third = helper.post("/v1/card/sign", json={"pin": "000000", "challenge": "x"})
    assert third.status_code == 423 and third.json()["error"]["code"] == "card_blocked"
    assert "卡已锁定" in third.json()["error"]["message"]
    right_pin_too_late = helper.post("/v1/card/sign", json={"pin": PIN, "challenge": "x"})
    assert right_pin_too_late.status_code == 423
    assert applet.tries_left == 0 and p.INS_SIGN not in applet.commands
    assert helper.get("/v1/status").json()["tries_left"] == 0  # what the page shows as 卡已锁定


def test_the_right_pin_resets_the_counter(helper: httpx.Client, card_slot: CardSlot) -> None:
    applet = card_slot.insert(tries=3)
    helper.post("/v1/card/read", json={"pin": "999999"})
    assert applet.tries_left == 2
    assert helper.post("/v1/card/read", json={"pin": PIN}).status_code == 200
    assert applet.tries_left == 3


def test_no_card_in_the_reader(helper: httpx.Client, card_slot: CardSlot) -> None:
    answer = helper.post("/v1/card/sign", json={"pin": PIN, "challenge": "x"})
    assert answer.status_code == 409
    assert answer.json()["error"] == {"code": "no_card", "message": "未检测到卡片，请插入 IC 卡或 IKey 后重试"}


def test_card_pulled_while_signing(helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(pull_on_ins=p.INS_SIGN)
    answer = helper.post("/v1/card/sign", json={"pin": PIN, "challenge": "qingling:login:1"})
    assert answer.status_code == 409
    assert answer.json()["error"] == {"code": "card_removed", "message": "读卡过程中卡片被拔出，请重新插卡后重试"}
    card_slot.inserted = None  # already out
    assert helper.get("/v1/status").json()["card_present"] is False


def test_bad_pin_and_challenge_are_refused_before_touching_the_card(helper: httpx.Client,
                                                                    card_slot: CardSlot) -> None:
    applet = card_slot.insert()
    assert helper.post("/v1/card/sign", json={"pin": "12", "challenge": "x"}).json()["error"]["code"] == \
        "bad_pin_format"
    too_long = helper.post("/v1/card/sign", json={"pin": PIN, "challenge": "x" * 201})
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "bad_challenge"
    assert applet.tries_left == 3
    assert helper.post("/v1/card/sign", content=b"[1,2]").status_code == 400
    assert helper.post("/v1/card/read", json={"pin": PIN, "wait_seconds": "soon"}).json()["error"]["code"] == \
        "bad_request"


def test_a_foreign_origin_is_refused_without_cors_headers(helper: httpx.Client, card_slot: CardSlot) -> None:
    applet = card_slot.insert()
    answer = helper.post("/v1/card/sign", json={"pin": PIN, "challenge": "x"},
                         headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in answer.headers
    preflight = helper.options("/v1/card/sign", headers={"Origin": "https://evil.example",
                                                          "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    assert applet.commands == []  # the card never saw a command


def test_the_site_preflight_is_allowed_without_a_token(helper: httpx.Client) -> None:
    preflight = helper.options("/v1/card/sign", headers={"X-Pairing-Token": "",
                                                          "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Private-Network": "true"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert "X-Pairing-Token" in preflight.headers["access-control-allow-headers"]
    assert preflight.headers["access-control-allow-private-network"] == "true"


def test_a_missing_or_wrong_pairing_token_is_refused(helper: httpx.Client, card_slot: CardSlot) -> None:
    applet = card_slot.insert()
    for token in ("", "guess", PAIRING_TOKEN[:-1]):
        answer = helper.post("/v1/card/sign", json={"pin": PIN, "challenge": "x"}, headers={"X-Pairing-Token": token})
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "bad_pairing_token"
    assert applet.commands == [] and applet.tries_left == 3


def test_a_page_of_another_host_name_is_refused(helper: httpx.Client) -> None:
    """DNS rebinding: a page whose host name resolves to 127.0.0.1 still names its own host."""
    answer = helper.get("/v1/status", headers={"Host": "attacker.example:17380"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "bad_host"


def test_the_helper_listens_on_loopback_only(tmp_path) -> None:
    from card_desktop_helper.server import HelperServer
    from card_desktop_helper.settings import load

    settings = load(tmp_path / "config.json")
    server = HelperServer(settings, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
    assert len(settings.pairing_token) >= 20
    assert load(tmp_path / "config.json").pairing_token == settings.pairing_token  # kept per install
    assert (tmp_path / "config.json").stat().st_mode & 0o077 == 0
