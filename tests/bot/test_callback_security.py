"""Refusals: forged or stale signatures, bodies that are not safe XML, oversized bodies. Never a 500."""

from __future__ import annotations

import time

import pytest

from tests.bot.support import (
    TOKEN,
    bot_settings,
    encrypted_post,
    serving,
    sha1_signature,
    signed_query,
    text_xml,
)
from tests.bot.support import make_app as build

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&lol4;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = ('<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
                   "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>")


async def test_get_verification_echoes_echostr(client) -> None:
    response = await client.get("/wechat/callback", params={**signed_query(), "echostr": "5927782489442352469"})
    assert response.status_code == 200
    assert response.text == "5927782489442352469"


@pytest.mark.parametrize("change", [{"signature": "0" * 40}, {"nonce": "other"}, {"signature": ""}])
async def test_get_verification_with_a_forged_signature_is_refused(client, change) -> None:
    response = await client.get("/wechat/callback", params={**signed_query(), "echostr": "42", **change})
    assert response.status_code == 403
    assert "42" not in response.text


async def test_get_verification_with_a_stale_timestamp_is_refused(client) -> None:
    query = signed_query(timestamp=int(time.time()) - 3600)
    response = await client.get("/wechat/callback", params={**query, "echostr": "42"})
    assert response.status_code == 403


async def test_post_with_a_forged_signature_is_refused(client, caplog) -> None:
    query = {**signed_query(), "signature": sha1_signature("wrongtoken", "1", "2")}
    response = await client.post("/wechat/callback", params=query, content=text_xml("帮助").encode())
    assert response.status_code == 403
    assert "bad signature" in caplog.text


@pytest.mark.parametrize("skew", [-3600, -301, 301, 3600])
async def test_post_outside_the_timestamp_window_is_refused(client, skew) -> None:
    query = signed_query(timestamp=int(time.time()) + skew)
    response = await client.post("/wechat/callback", params=query, content=text_xml("帮助").encode())
    assert response.status_code == 403


async def test_post_inside_the_timestamp_window_is_answered(client) -> None:
    query = signed_query(timestamp=int(time.time()) - 200)
    response = await client.post("/wechat/callback", params=query, content=text_xml("帮助").encode())
    assert response.status_code == 200


@pytest.mark.parametrize("body", [
    b"", b"not xml at all", b"<xml><ToUserName>gh</ToUserName>", b"<other><MsgType>text</MsgType></other>",
    b"<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName></xml>", "<xml>\u4e2d</xml>".encode("gbk"),
])
async def test_malformed_xml_is_a_400(client, body) -> None:
    response = await client.post("/wechat/callback", params=signed_query(), content=body)
    assert response.status_code == 400


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY])
async def test_entity_declarations_are_refused_before_parsing(client, body, caplog) -> None:
    response = await client.post("/wechat/callback", params=signed_query(), content=body.encode())
    assert response.status_code == 400
    assert "DTD or entity" in caplog.text


async def test_entity_declarations_inside_the_encrypted_payload_are_refused(client) -> None:
    query, body = encrypted_post(BILLION_LAUGHS, signed_query())
    response = await client.post("/wechat/callback", params=query, content=body)
    assert response.status_code == 400


async def test_a_10_mb_body_is_refused_as_too_large(client) -> None:
    body = text_xml("a" * (10 * 1024 * 1024)).encode()
    response = await client.post("/wechat/callback", params=signed_query(), content=body)
    assert response.status_code == 413


async def test_a_large_chunked_body_without_length_is_refused_as_too_large(client) -> None:
    async def chunks():
        for _ in range(40):
            yield b"<xml>" + b"a" * 4096

    response = await client.post("/wechat/callback", params=signed_query(), content=chunks())
    assert response.status_code == 413


async def test_safe_mode_with_a_forged_msg_signature_is_refused(client) -> None:
    query, body = encrypted_post(text_xml("帮助"), signed_query())
    response = await client.post("/wechat/callback", params={**query, "msg_signature": "0" * 40}, content=body)
    assert response.status_code == 403


async def test_safe_mode_for_another_app_id_is_refused(client) -> None:
    query, body = encrypted_post(text_xml("帮助"), signed_query(), app_id="wx0000000000000000")
    response = await client.post("/wechat/callback", params=query, content=body)
    assert response.status_code == 403


async def test_safe_mode_with_garbage_ciphertext_is_a_400(client) -> None:
    query = signed_query()
    garbage = "bm90IGEgY2lwaGVydGV4dA=="
    msg_signature = sha1_signature(TOKEN, query["timestamp"], query["nonce"], garbage)
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>".encode()
    response = await client.post("/wechat/callback", content=body,
                                 params={**query, "encrypt_type": "aes", "msg_signature": msg_signature})
    assert response.status_code == 400


async def test_safe_mode_without_msg_signature_is_refused(client) -> None:
    query, body = encrypted_post(text_xml("帮助"), signed_query())
    del query["msg_signature"]
    response = await client.post("/wechat/callback", params=query, content=body)
    assert response.status_code == 403


async def test_an_unconfigured_token_refuses_everything(db_settings) -> None:
    async with serving(build(bot_settings(db_settings, token=None))) as client:
        response = await client.get("/wechat/callback", params={**signed_query(), "echostr": "42"})
    assert response.status_code == 503
