"""bot.verification.parse_wechat_message gives exactly what wechatpy's parse_message gives, for every shape.

Plain messages are read with ElementTree into wechatpy's own message classes; events and unusual shapes go
through parse_message itself. Either way the class and the fields must be wechatpy's.
"""

from __future__ import annotations

import pytest
from wechatpy import parse_message

from bot.verification import Refused, parse_wechat_message
from tests.bot.support import event_xml, text_xml

HEAD = "<ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>"
SAMPLES = [
    text_xml("帮助"),
    text_xml("  前后有空格的内容 \n"),
    f"<xml>\n {HEAD}\n <CreateTime>1700000000</CreateTime>\n <MsgType><![CDATA[image]]></MsgType>"
    "<PicUrl><![CDATA[http://x/a.png]]></PicUrl><MediaId></MediaId><Blank>  </Blank><MsgId>1</MsgId></xml>",
    f"<xml>{HEAD}<MsgType>TEXT</MsgType><Content>a &amp; b &lt;c&gt;</Content></xml>",
    f"<xml>{HEAD}<MsgType>not_a_type</MsgType></xml>",
    f"<?xml version='1.0' encoding='utf-8'?><xml>{HEAD}<MsgType>location</MsgType><Location_X>23.1</Location_X>"
    "<Location_Y>113.2</Location_Y><Scale>20</Scale><Label><![CDATA[某地]]></Label></xml>",
    f"<xml>{HEAD}<MsgType>text</MsgType><Content><![CDATA[a]]>b<![CDATA[c]]><!-- note --></Content></xml>",
    # Shapes a flat dict would not reproduce: wechatpy's parser reads them.
    f"<xml>{HEAD}<MsgType>text</MsgType><Content>x</Content><Content>y</Content></xml>",
    f"<xml>{HEAD}<MsgType>text</MsgType><Content>x</Content><Nested><A>1</A></Nested></xml>",
    f"<xml kind='odd'>{HEAD}<MsgType>text</MsgType><Content>x</Content></xml>",
    f"<xml>{HEAD}<MsgType>text</MsgType><Content lang='zh'>x</Content></xml>",
    f"<xml>{HEAD}stray<MsgType>text</MsgType><Content>x</Content></xml>",
    # Events always go through parse_message (its subscribe / qrscene_ rules).
    event_xml("subscribe"),
    event_xml("subscribe", key="qrscene_bind:abc"),
    event_xml("SCAN", key="bind:abc"),
    event_xml("CLICK", key="HELP"),
]


@pytest.mark.parametrize("xml", SAMPLES)
def test_same_class_and_fields_as_wechatpy(xml: str) -> None:
    ours, theirs = parse_wechat_message(xml), parse_message(xml)
    assert type(ours) is type(theirs)
    assert dict(ours._data) == dict(theirs._data)
    assert (ours.source, ours.target, ours.id, ours.time) == (theirs.source, theirs.target, theirs.id, theirs.time)


@pytest.mark.parametrize("xml", [
    "<xml><ToUserName>gh</ToUserName>",  # broken
    "<root><MsgType>text</MsgType></root>",  # no <xml> root, no way to tell the type
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName></xml>",  # no MsgType
    "<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType><Content>x</Content></xml>",  # no FromUserName
])
def test_unreadable_messages_are_refused(xml: str) -> None:
    with pytest.raises(Refused) as refused:
        parse_wechat_message(xml)
    assert refused.value.status == 400
