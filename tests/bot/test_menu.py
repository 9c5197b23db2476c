"""The menu as WeChat's menu/create JSON (POST /cgi-bin/menu/create), every button answered by a handler."""

from __future__ import annotations

from bot.handlers import router
from bot.menu import menu_definition


def test_menu_json_has_the_shape_and_limits_wechat_accepts() -> None:
    buttons = menu_definition()["button"]
    assert 1 <= len(buttons) <= 3
    for top in buttons:
        assert set(top) == {"name", "sub_button"}  # a top button with sub-buttons has no type/key
        assert len(top["name"].encode()) <= 16
        assert 1 <= len(top["sub_button"]) <= 5
        for sub in top["sub_button"]:
            assert sub["type"] == "click"
            assert len(sub["name"].encode()) <= 60
            assert 1 <= len(sub["key"].encode()) <= 128


def test_menu_offers_the_five_entries() -> None:
    names = [sub["name"] for top in menu_definition()["button"] for sub in top["sub_button"]]
    assert sorted(names) == sorted(["我要提问", "我的问题", "已公开问题", "绑定账号", "帮助"])


def test_every_menu_key_has_a_handler() -> None:
    keys = {sub["key"] for top in menu_definition()["button"] for sub in top["sub_button"]}
    assert len(keys) == 5
    assert keys <= router.click_keys()
