"""Realistic records for the simulated single window: every code from the repo's code tables (data/), goods from
the 2026 catalogue (HS code, name, legal units), numbers shaped like the real ones (统一编号 18 characters, 海关编号
18 digits with the office in front, 清单编号 QD + office + year + sequence).

Each enterprise's history is generated from its credit code (the same records every time for the same code): a
few declarations on most working days of the last ``DAYS`` days (some days have none: the sync page's gaps) and
a bonded list now and then, with receipts already received for the older declarations.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "data"
DAYS = 45
GOODS = ("8482102000", "8504401400", "8516500000", "9503008900", "6402992900", "7318159001", "3926909090")
MODELS = {"8482102000": ["6204", "6205-2RS", "6206ZZ"], "8504401400": ["PS-12V5A", "PS-24V2A"],
          "8516500000": ["MW-20L", "MW-25L"], "9503008900": ["T-1031", "T-2088"], "6402992900": ["SH-39", "SH-42"],
          "7318159001": ["M8x40", "M10x50"], "3926909090": ["PB-200", "PB-350"]}
BRANDS = ("SKF", "NSK", "无品牌", "HAIER", "MIDEA")
OFFICES = ("0900", "0901", "0903", "0906", "0908")  # 大连关区
TRADE_MODES = ("0110", "0110", "0110", "0214", "0615", "1210")
COUNTRIES = ("USA", "JPN", "KOR", "DEU", "AUS", "SGP", "GBR", "NLD")
PORTS = {"USA": "USA000", "JPN": "JPN000", "KOR": "KOR000", "DEU": "DEU000", "AUS": "AUS000", "SGP": "SGP000",
         "GBR": "GBR000", "NLD": "NLD000"}
CONSIGNEES = ("ACME BEARINGS INC.", "TOKYO TRADING CO., LTD.", "HANSA IMPORT GMBH", "PACIFIC GOODS PTY LTD")
RECEIPT_TYPES = ("entered", "inspected", "released", "cleared", "deleted", "rejected")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Goods:
    hs_code: str
    name: str
    unit1: str  # code
    unit2: str  # code or ""
    elements: int  # how many declaration elements the catalogue lists


@cache
def goods() -> tuple[Goods, ...]:
    units = {row["计量单位名称"]: row["计量单位代码"] for row in _rows("param_unit_of_measure_codes.csv")}
    found = {row["hs_code"]: row for row in _rows("hs10_cn_2026_declaration_elements.csv") if row["hs_code"] in GOODS}
    return tuple(Goods(code, found[code]["name"], units[found[code]["unit1"]], units.get(found[code]["unit2"], ""),
                       found[code]["declaration_elements"].count(":")) for code in GOODS)


@cache
def known_codes() -> dict[str, frozenset[str]]:
    """The codes the generator uses, by table (a test checks every generated code is one of the tables')."""
    return {"customs_office": frozenset(r["关区代码"] for r in _rows("customs_offices.csv")),
            "trade_mode": frozenset(r["监管方式代码"]
                                    for r in _rows("param_supervision_mode_codes_jianguanfangshi.csv")),
            "country": frozenset(r["代码"] for r in _rows("param_country_region_codes_iso3.csv")),
            "port": frozenset(r["代码"] for r in _rows("param_port_codes.csv"))}


def _money(value: float) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.0001")).normalize())


def declaration_record(rng: random.Random, enterprise_code: str, enterprise_name: str, seq_no: str,
                       updated_at: datetime, status: str, entry_id: str, decl_type: str = "E0") -> dict[str, Any]:
    """A declaration as the protocol gives it (head and items keyed by the standard message's elements)."""
    office = rng.choice(OFFICES)
    country = rng.choice(COUNTRIES)
    items = []
    gross = 0.0
    for position in range(1, rng.randint(1, 4) + 1):
        good = rng.choice(goods())
        quantity = rng.randint(10, 2000)
        price = round(rng.uniform(0.5, 80), 4)
        kilos = round(quantity * rng.uniform(0.05, 1.5), 2)
        gross += kilos * 1.08
        elements = ["0", "3", "", rng.choice(BRANDS), rng.choice(MODELS[good.hs_code])] + [""] * (good.elements - 5)
        items.append({
            "GNo": position, "CodeTS": good.hs_code, "GName": good.name, "GModel": "|".join(elements),
            "GQty": str(quantity), "GUnit": good.unit1, "FirstQty": str(quantity), "FirstUnit": good.unit1,
            "SecondQty": str(kilos) if good.unit2 else "", "SecondUnit": good.unit2,
            "DeclPrice": _money(price), "DeclTotal": _money(price * quantity), "TradeCurr": "USD",
            "OriginCountry": "CHN", "DestinationCountry": country, "DistrictCode": "21022", "DutyMode": "1"})
    net = round(gross / 1.08, 2)
    head = {
        "CustomMaster": office, "IEPort": rng.choice(OFFICES[1:]), "TradeMode": rng.choice(TRADE_MODES),
        "BillNo": f"COSU{rng.randint(1000000000, 9999999999)}", "TradeCoScc": enterprise_code,
        "TradeName": enterprise_name, "OverseasConsigneeEname": rng.choice(CONSIGNEES), "OwnerName": enterprise_name,
        "ContrNo": f"CT{updated_at:%Y%m}-{rng.randint(100, 999)}", "TrafMode": "2",
        "TrafName": f"COSCO {rng.choice(['TAICANG', 'DALIAN', 'SHIPPING'])}/{rng.randint(10, 99)}E",
        "TradeAreaCode": country, "TradeCountry": country, "DistinatePort": PORTS[country], "DespPortCode": "210101",
        "WrapType": "22", "PackNo": str(rng.randint(1, 60)), "GrossWet": str(round(gross, 2)),
        "NetWt": str(net), "TransMode": rng.choice(["1", "3"]),
    }
    return {"seq_no": seq_no, "entry_id": entry_id, "decl_type": decl_type, "status": status,
            "enterprise_category": "trade", "updated_at": updated_at.isoformat(), "head": head, "items": items,
            "containers": [{"ContainerId": f"TGHU{rng.randint(1000000, 9999999)}", "ContainerMd": "22",
                            "GoodsNo": ",".join(str(i["GNo"]) for i in items)}], "documents": []}


def bonded_record(rng: random.Random, enterprise_code: str, enterprise_name: str, seq_no: str, list_no: str,
                  updated_at: datetime, number: int) -> dict[str, Any]:
    ie_flag = rng.choice("IEE")
    items = []
    for position in range(1, rng.randint(1, 5) + 1):
        good = rng.choice(goods())
        quantity = rng.randint(50, 5000)
        price = round(rng.uniform(0.2, 30), 4)
        items.append({
            "position": position, "record_no": rng.randint(1, 120), "part_no": f"P{good.hs_code[:4]}-{position:03d}",
            "hs_code": good.hs_code, "goods_name": good.name,
            "model_spec": f"0|3|{rng.choice(BRANDS)}|{rng.choice(MODELS[good.hs_code])}", "quantity": str(quantity),
            "unit": good.unit1, "legal_quantity": str(quantity), "legal_unit": good.unit1, "price": _money(price),
            "total": _money(price * quantity), "currency": "USD", "origin_country": "CHN",
            "destination_country": rng.choice(COUNTRIES), "duty_mode": "3"})
    status = rng.choice(["2", "2", "2", "1", "0", "3"])
    return {
        "seq_no": seq_no, "list_no": list_no if status in ("1", "2") else "", "enterprise_role": "operating",
        "data_source": rng.choice(["1", "1", "2"]), "ie_flag": ie_flag, "data_status": status,
        "pre_approval": {"2": "1", "1": "0", "0": "0", "3": "2"}[status], "updated_at": updated_at.isoformat(),
        "head": {"manual_no": f"E09{rng.randint(10, 99)}{updated_at:%y}{number % 10000:05d}"[:12],
                 "trade_code": enterprise_code, "trade_name": enterprise_name, "process_code": enterprise_code,
                 "process_name": enterprise_name, "customs_office": rng.choice(OFFICES),
                 "trade_mode": "0615" if ie_flag == "E" else "0214", "traf_mode": "2",
                 "ie_port": rng.choice(OFFICES[1:]), "country": rng.choice(COUNTRIES), "list_type": "0",
                 "declare_flag": "1", "input_date": updated_at.date().isoformat()},
        "items": items}


def seq_no_for(rng: random.Random, office: str = "0900") -> str:
    return f"I{office}{rng.randint(10**12, 10**13 - 1)}"  # 18 characters


def history(enterprise_code: str, enterprise_name: str, now: datetime,
            days: int = DAYS) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(declarations, bonded lists) of an enterprise over the last ``days`` days, the same every time; their
    statuses already reflect the receipts of that time (the receipt feed carries only what happens later)."""
    rng = random.Random(enterprise_code)
    declarations: list[dict[str, Any]] = []
    bonded: list[dict[str, Any]] = []
    for back in range(days, 0, -1):
        day = (now - timedelta(days=back)).replace(hour=9, minute=0, second=0, microsecond=0)
        if day.weekday() >= 5 or rng.random() < 0.12:
            continue  # no declarations on weekends and on the odd quiet day
        for _ in range(rng.randint(1, 4)):
            at = day + timedelta(minutes=rng.randint(0, 8 * 60))
            seq_no = seq_no_for(rng)
            entry_id = f"{rng.choice(OFFICES)}{at:%Y}0{rng.randint(10**8, 10**9 - 1)}"
            arrived = ["entered", "released", "cleared"] if back > 7 else ["entered"]
            if rng.random() < 0.05:
                arrived = ["deleted"]
            declarations.append(declaration_record(rng, enterprise_code, enterprise_name, seq_no,
                                                   at + timedelta(hours=len(arrived) * 6), arrived[-1], entry_id))
        if rng.random() < 0.3:
            number = len(bonded) + 1
            bonded.append(bonded_record(rng, enterprise_code, enterprise_name, seq_no_for(rng),
                                        f"QD0900{day:%y}{'I' if number % 2 else 'E'}{number:09d}",
                                        day + timedelta(hours=rng.randint(1, 8)), number))
    return declarations, bonded
