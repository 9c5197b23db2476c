"""表单设置 rules: parsing every setting (codes trimmed and upper-cased, switches tri-state) and the order of
precedence person → enterprise → system."""

from __future__ import annotations

from services.personal.preference_rules import SETTINGS, Effective, Source, parse_values, resolve


def test_every_setting_parsed_and_every_bad_one_named() -> None:
    chosen, errors = parse_values({"declare_office": " 0900 ", "currency": "usd", "origin_country": "",
                                   "enter_moves_next": "off", "remember_last": True, "auto_uppercase": None})
    assert chosen == {"declare_office": "0900", "currency": "USD", "enter_moves_next": False, "remember_last": True}
    assert errors == {}
    _, errors = parse_values({"declare_office": "09", "trade_mode": "01100", "currency": "US", "origin_country": "C1N",
                              "confirm_declare": "yes"})
    assert errors == {"declare_office": "默认申报地海关应为 4 位数字的关区代码",
                      "trade_mode": "默认监管方式应为 4 位数字",
                      "currency": "默认币制应为 3 位英文字母",
                      "origin_country": "商品项默认原产国（地区）应为 3 位英文字母",
                      "confirm_declare": "请选择跟随企业默认、启用或禁用"}


def test_person_over_company_over_system() -> None:
    effective = resolve({"currency": "EUR", "gone_setting": 1}, {"currency": "USD", "trade_mode": "0110",
                                                                 "remember_last": True})
    assert effective["currency"] == Effective("EUR", Source.PERSON)
    assert effective["trade_mode"] == Effective("0110", Source.COMPANY)
    assert effective["remember_last"] == Effective(True, Source.COMPANY)
    assert effective["enter_moves_next"] == Effective(True, Source.SYSTEM)
    assert set(effective) == {s.key for s in SETTINGS}  # a stored key no longer a setting is ignored
