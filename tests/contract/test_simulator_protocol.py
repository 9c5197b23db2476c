"""The simulator's wire protocol at the HTTP level: error bodies, token lifetimes, quotas, de-duplication."""

from __future__ import annotations

import re

import pytest
import requests

from tests.contract.conftest import APP_ID, APP_SECRET, Simulator

CREDENTIALS = {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}


def get(simulator: Simulator, path: str, **params: str) -> dict:
    response = requests.get(f"{simulator.base_url}{path}", params=params, timeout=5)
    assert response.status_code == 200  # WeChat answers errors with HTTP 200 too
    return response.json()


def post(simulator: Simulator, path: str, body: dict, **params: str) -> dict:
    response = requests.post(f"{simulator.base_url}{path}", params=params, json=body, timeout=5)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("params", "errcode"), [
    ({**CREDENTIALS, "grant_type": "password"}, 40002),
    ({**CREDENTIALS, "appid": "wx_someone_else"}, 40013),
    ({**CREDENTIALS, "secret": "wrong"}, 40125),
])
def test_token_request_errors_have_wechat_codes_and_a_rid(
        simulator: Simulator, params: dict, errcode: int) -> None:
    answer = get(simulator, "/cgi-bin/token", **params)

    assert answer["errcode"] == errcode
    assert re.fullmatch(r"[a-z_ ]+ rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}", answer["errmsg"])


def test_previous_token_stays_valid_for_five_minutes_after_a_refresh(simulator: Simulator) -> None:
    follower = simulator.platform.add_follower()
    old = get(simulator, "/cgi-bin/token", **CREDENTIALS)["access_token"]
    new = get(simulator, "/cgi-bin/token", **CREDENTIALS)["access_token"]
    text = {"touser": follower.openid, "msgtype": "text", "text": {"content": "您好"}}

    within = post(simulator, "/cgi-bin/message/custom/send", text, access_token=old)
    simulator.clock.advance(300)
    after = post(simulator, "/cgi-bin/message/custom/send", text, access_token=old)
    fresh = post(simulator, "/cgi-bin/message/custom/send", text, access_token=new)

    assert (within["errcode"], after["errcode"], fresh["errcode"]) == (0, 40001, 0)


def test_missing_and_expired_tokens(simulator: Simulator) -> None:
    token = get(simulator, "/cgi-bin/token", **CREDENTIALS)["access_token"]
    missing = get(simulator, "/cgi-bin/menu/get")
    simulator.clock.advance(7200)
    expired = get(simulator, "/cgi-bin/menu/get", access_token=token)

    assert (missing["errcode"], expired["errcode"]) == (41001, 42001)


def test_daily_token_quota_answers_45009(simulator: Simulator) -> None:
    simulator.platform.daily_quota["cgi-bin/token"] = 2
    answers = [get(simulator, "/cgi-bin/token", **CREDENTIALS) for _ in range(3)]

    assert ["access_token" in a for a in answers] == [True, True, False]
    assert answers[2]["errcode"] == 45009


def test_same_client_msg_id_sends_one_template_message(simulator: Simulator) -> None:
    follower = simulator.platform.add_follower()
    token = get(simulator, "/cgi-bin/token", **CREDENTIALS)["access_token"]
    body = {"touser": follower.openid, "template_id": "TPL", "client_msg_id": "q7-replied",
            "data": {"thing1": {"value": "已答复"}}}

    first = post(simulator, "/cgi-bin/message/template/send", body, access_token=token)
    again = post(simulator, "/cgi-bin/message/template/send", body, access_token=token)

    assert first["errcode"] == again["errcode"] == 0 and first["msgid"] == again["msgid"]
    assert len(simulator.platform.sent("template")) == 1


def test_malformed_body_is_a_data_format_error(simulator: Simulator) -> None:
    token = get(simulator, "/cgi-bin/token", **CREDENTIALS)["access_token"]
    response = requests.post(f"{simulator.base_url}/cgi-bin/menu/create", params={"access_token": token},
                             data=b"{not json", timeout=5)

    assert response.json()["errcode"] == 47001
