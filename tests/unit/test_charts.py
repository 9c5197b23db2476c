"""The statistics page's SVG charts: well-formed XML, accessible, every label escaped, every value shown."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from handlers.kit.charts import bar_chart, line_chart, share_bar

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>&'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None and title.get("id") in (root.get("aria-labelledby") or "").split()
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter() if node.tag in (f"{SVG}text", f"{SVG}title")]


CHARTS = {
    "bar": lambda: bar_chart(HOSTILE, [(HOSTILE, 7), ("已办结", 140)]),
    "line": lambda: line_chart(HOSTILE, {HOSTILE: [(HOSTILE, 7)], "回复": [(HOSTILE, 140)]}),
    "share": lambda: share_bar(HOSTILE, [(HOSTILE, 7), ("视为接受（自动办结）", 140)]),
}


@pytest.mark.parametrize("name", CHARTS)
def test_labels_are_escaped_and_values_present(name: str) -> None:
    svg = CHARTS[name]()
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert not [node for node in root.iter() if node.tag.endswith("script")]
    shown = " ".join(texts(root))
    assert HOSTILE in shown  # the text reads as typed, markup and all
    assert "7" in shown and "140" in shown
    assert root.find(f"{SVG}title").text == HOSTILE  # type: ignore[union-attr]


def test_control_characters_do_not_break_the_xml() -> None:
    parse(bar_chart("类型", [("坏\x00名\x1f字", 1)]))


def test_bar_chart_draws_bars_proportionally_and_shortens_long_labels() -> None:
    long = "中华人民共和国大连海关隶属大窑湾海关关税征管科综合业务窗口"
    root = parse(bar_chart("按受理海关/部门", [("大窑湾海关", 120), (long, 60), ("关税科", 0)]))
    widths = [float(rect.get("width", "0")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0
    assert any(t.endswith("…") for t in texts(root))
    assert f"{long}：60" in texts(root)  # the whole name in the tooltip


def test_line_chart_has_a_legend_a_line_per_series_and_a_point_per_week() -> None:
    weeks = [f"2025-W{n}" for n in range(39, 43)]
    series = {"提问": [(w, 3) for w in weeks], "回复": [(w, 2) for w in weeks], "办结": [(w, 1) for w in weeks]}
    root = parse(line_chart("每周趋势", series))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 3 and len({line.get("stroke") for line in lines}) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3  # told apart without colour too
    assert {"提问", "回复", "办结", "2025-W39", "2025-W42"} <= set(texts(root))
    assert "提问 2025-W40：3" in texts(root)


def test_share_bar_lists_every_part_with_its_share() -> None:
    root = parse(share_bar("评价情况", [("完全解决问题", 3), ("同意答复意见", 0), ("视为接受（自动办结）", 1)]))
    assert {"完全解决问题3（75%）", "同意答复意见0（0%）", "视为接受（自动办结）1（25%）"} <= set(texts(root))


@pytest.mark.parametrize("svg", [bar_chart("空", []), line_chart("空", {"提问": []}), share_bar("空", [("甲", 0)])])
def test_empty_charts_say_no_data(svg: str) -> None:
    assert "暂无数据" in texts(parse(svg))
