"""Alibaba Cloud signatures as the SMS simulator checks them: the official V1 vectors, V3 against the SDK."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from alibabacloud_tea_openapi.utils import Utils

from simulators.sms.signature import (
    parse_v3_authorization,
    percent_encode,
    v1_signature,
    v1_string_to_sign,
    v3_canonical_request,
    v3_signature,
)

SMS_PARAMS = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
SMS_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001"
    "%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4"
    "%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode"
    "%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp"
    "%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
)


def test_v1_sms_vector_string_to_sign_and_signature() -> None:
    assert v1_string_to_sign("GET", SMS_PARAMS) == SMS_STRING_TO_SIGN
    assert v1_signature("GET", SMS_PARAMS, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert percent_encode("zJDF+Lrzhj/ThnlvIToysFRq6t4=") == "zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"


def test_v1_ignores_the_signature_parameter_and_the_secret_is_case_sensitive() -> None:
    signed = {**SMS_PARAMS, "Signature": "zJDF+Lrzhj/ThnlvIToysFRq6t4="}
    assert v1_signature("GET", signed, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert v1_signature("GET", SMS_PARAMS, "testsecret") != "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert v1_signature("POST", SMS_PARAMS, "testSecret") != "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_v1_generic_rpc_vector() -> None:
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
              "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
    assert v1_signature("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_is_rfc3986() -> None:
    assert percent_encode("a b*c~d+e/") == "a%20b%2Ac~d%2Be%2F"


def test_v3_matches_what_the_sdk_signs() -> None:
    """The SDK's own signer (alibabacloud_tea_openapi) is the oracle for the simulator's V3 check."""
    payload = hashlib.sha256(b"").hexdigest()
    headers = {"host": "127.0.0.1:8000", "x-acs-action": "SendSms", "x-acs-version": "2017-05-25",
               "x-acs-date": "2024-05-01T08:00:00Z", "x-acs-signature-nonce": "n-1", "accept": "application/json",
               "user-agent": "AlibabaCloud (test) Python/3.11", "x-acs-content-sha256": payload}
    query = {"PhoneNumbers": "13800138000", "SignName": "清零平台", "TemplateCode": "SMS_1",
             "TemplateParam": '{"content": "你好 +&= *~"}', "OutId": "o-1"}
    request = SimpleNamespace(pathname="/", method="POST", query=query, headers=headers)
    authorization = Utils.get_authorization(request, "ACS3-HMAC-SHA256", payload, "ak-id", "ak-secret")
    access_key_id, signed_headers, signature = parse_v3_authorization(authorization)
    assert access_key_id == "ak-id" and signed_headers == sorted(headers)
    canonical = v3_canonical_request("POST", "/", query, headers, signed_headers, payload)
    assert v3_signature(canonical, "ak-secret") == signature
    assert v3_signature(canonical, "other-secret") != signature


def test_v3_authorization_must_be_complete() -> None:
    assert parse_v3_authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host") is None
    assert parse_v3_authorization("HMAC-SHA1 Credential=a,SignedHeaders=host,Signature=x") is None
    assert parse_v3_authorization("") is None
