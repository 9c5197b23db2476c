"""WeChat message-encryption test vectors, byte-exact, through wechatpy and through the callback.

(a) Tencent's official 公众号 sample (``WXBizMsgCryptTest.java`` in the message encryption guide's cryptoDemo.zip;
the msg_signature values are computed from its token, timestamp and nonce); (b) wechatpy's own
``tests/test_crypto.py``, the same AES / PKCS#7 / signature algorithm with an encrypted echostr.
"""

from __future__ import annotations

import pytest
import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from bot.verification import Refused, check_request_signature
from tests.bot.support import AES_KEY, APP_ID, TOKEN, bot_settings, serving, sha1_signature
from tests.bot.support import make_app as build

# (a) Tencent's official 公众号 sample (WXBizMsgCryptTest.java)
TIMESTAMP, NONCE = "1409304348", "xxxxxx"
REPLY_MSG = "我是中文abcd123"
AFTER_AES = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
REPLY_MSG2 = ("<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName>"
              "<![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType>"
              "<![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3"
              "ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description>"
              "<![CDATA[testCallBackReplyVideo]]></Description></Video></xml>")
AFTER_AES2 = (
    "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+w"
    "LMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9en"
    "GIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38"
    "YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042Ol"
    "Ub1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8"
    "xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
)
SIGNATURE = "76480565cbe296026c53aaacd1ad523a1ddba24f"
MSG_SIGNATURE = "82c962d39941aa48552f90ef55aa323dc620cc10"
MSG_SIGNATURE2 = "ea88b765074e41eb8c7a75b449db34fa2fd560d5"

# (b) wechatpy tests/test_crypto.py
B_TOKEN, B_KEY, B_ID = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
B_REPLY = ("<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName>"
           "<![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
           "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>")
B_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObv"
    "esEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NR"
    "rrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oaz"
    "PoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)
B_INBOUND = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymz"
    "xh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOA"
    "QqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe"
    "7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
B_PLAIN = ("<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]>"
           "</FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content>"
           "<![CDATA[test]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>")


def fixed_random(value: str) -> type[PrpCrypto]:
    class FixedRandom(PrpCrypto):
        def get_random_string(self) -> str:
            return value

    return FixedRandom


def test_plain_signature_vector() -> None:
    assert sha1_signature(TOKEN, TIMESTAMP, NONCE) == SIGNATURE
    args = {"signature": SIGNATURE, "timestamp": TIMESTAMP, "nonce": NONCE}
    check_request_signature(TOKEN, args, 300, now=int(TIMESTAMP))
    with pytest.raises(Refused):
        check_request_signature(TOKEN, {**args, "nonce": "xxxxxy"}, 300, now=int(TIMESTAMP))


@pytest.mark.parametrize(("plain", "encrypted", "msg_signature"),
                         [(REPLY_MSG, AFTER_AES, MSG_SIGNATURE), (REPLY_MSG2, AFTER_AES2, MSG_SIGNATURE2)])
def test_official_sample_encrypts_and_decrypts_byte_exactly(plain: str, encrypted: str, msg_signature: str) -> None:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    assert fixed_random("aaaabbbbccccdddd")(crypto.key).encrypt(plain, APP_ID).decode() == encrypted
    assert sha1_signature(TOKEN, TIMESTAMP, NONCE, encrypted) == msg_signature
    assert crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, TIMESTAMP, NONCE) == plain
    with pytest.raises(InvalidSignatureException):
        crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, TIMESTAMP, "xxxxxy")


def test_wechatpy_vector_encrypts_and_decrypts_byte_exactly() -> None:
    crypto = WeChatCrypto(B_TOKEN, B_KEY, B_ID)
    assert fixed_random("1234567890123456")(crypto.key).encrypt(B_REPLY, B_ID).decode() == B_ENCRYPT
    assert sha1_signature(B_TOKEN, "1411525903", "461056294", B_ENCRYPT) == "407518b7649e86ef23978113f92d27afa9296533"
    signature = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
    assert crypto.decrypt_message({"Encrypt": B_INBOUND}, signature, "1411525903", "461056294") == B_PLAIN


async def test_the_sample_push_replayed_through_the_callback_gets_an_encrypted_reply(db_settings) -> None:
    # The recorded timestamp is from 2014: this app accepts it only because its window is set that wide.
    settings = bot_settings(db_settings, timestamp_window_seconds=2_000_000_000)
    query = {"signature": SIGNATURE, "timestamp": TIMESTAMP, "nonce": NONCE, "encrypt_type": "aes",
             "msg_signature": MSG_SIGNATURE2}
    body = f"<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[{AFTER_AES2}]]></Encrypt></xml>"
    async with serving(build(settings)) as client:
        response = await client.post("/wechat/callback", params=query, content=body.encode())
        forged = await client.post("/wechat/callback", params={**query, "msg_signature": MSG_SIGNATURE},
                                   content=body.encode())
    assert response.status_code == 200
    sealed = xmltodict.parse(response.text)["xml"]
    assert sealed["Nonce"] == NONCE
    reply = xmltodict.parse(WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        response.text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]))["xml"]
    # The sample's sender is gh_7f083739789a: the reply goes back to it.
    assert reply["ToUserName"] == "gh_7f083739789a"
    assert reply["FromUserName"] == "oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw"
    assert "使用帮助" in reply["Content"]  # a video message gets the help text
    assert forged.status_code == 403


def test_the_callbacks_account_crypto_matches_the_vectors_byte_exactly() -> None:
    """adapters.wechat_crypto.AccountCrypto (wechatpy private API, one PrpCrypto per account): same bytes, checks."""
    from adapters.wechat_crypto import AccountCrypto

    crypto = AccountCrypto(TOKEN, AES_KEY, APP_ID, random_prefix=lambda: "aaaabbbbccccdddd")
    for plain, encrypted, msg_signature in ((REPLY_MSG, AFTER_AES, MSG_SIGNATURE),
                                            (REPLY_MSG2, AFTER_AES2, MSG_SIGNATURE2)):
        sealed = xmltodict.parse(crypto.encrypt_message(plain, NONCE, TIMESTAMP))["xml"]
        assert sealed["Encrypt"] == encrypted
        assert sealed["MsgSignature"] == msg_signature
        assert crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, TIMESTAMP, NONCE) == plain
        with pytest.raises(InvalidSignatureException):
            crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, TIMESTAMP, "xxxxxy")
    b_crypto = AccountCrypto(B_TOKEN, B_KEY, B_ID, random_prefix=lambda: "1234567890123456")
    assert xmltodict.parse(b_crypto.encrypt_message(B_REPLY, "461056294", "1411525903"))["xml"]["Encrypt"] == B_ENCRYPT
    signature = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
    assert b_crypto.decrypt_message({"Encrypt": B_INBOUND}, signature, "1411525903", "461056294") == B_PLAIN
    # Its default random prefix differs per message, and wechatpy's own WeChatCrypto reads what it seals.
    crypto = AccountCrypto(TOKEN, AES_KEY, APP_ID)
    first, second = (xmltodict.parse(crypto.encrypt_message(REPLY_MSG, NONCE, TIMESTAMP))["xml"] for _ in range(2))
    assert first["Encrypt"] != second["Encrypt"]
    assert WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        {"Encrypt": first["Encrypt"]}, first["MsgSignature"], TIMESTAMP, NONCE) == REPLY_MSG


@pytest.mark.parametrize("body", [
    f"<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[{AFTER_AES}]]></Encrypt></xml>",
    f"<xml>\n  <ToUserName><![CDATA[toUser]]></ToUserName>\n  <Encrypt><![CDATA[{AFTER_AES}]]></Encrypt>\n</xml>\n",
    f"<xml><Encrypt><![CDATA[{AFTER_AES}]]></Encrypt><ToUserName><![CDATA[toUser]]></ToUserName></xml>",
    f"<xml><ToUserName>toUser</ToUserName><MsgType><![CDATA[text]]></MsgType><Encrypt>{AFTER_AES}</Encrypt></xml>",
])
def test_the_envelope_reads_encrypt_from_any_shape(body: str) -> None:
    from bot.verification import parse_envelope

    assert parse_envelope(body)["Encrypt"] == AFTER_AES


@pytest.mark.parametrize("body", ["<xml><Encrypt>abc</Encrypt>", "<notxml><Encrypt>abc</Encrypt></notxml>", "x"])
def test_a_broken_envelope_is_refused(body: str) -> None:
    from bot.verification import parse_envelope

    with pytest.raises(Refused) as refused:
        parse_envelope(body)
    assert refused.value.status == 400
