"""admin/charts.py: bar geometry for the server-drawn SVG charts."""
from consent_server.admin import charts


def test_nice_max_rounds_up_to_1_2_5():
    assert [charts.nice_max(v) for v in (0, 1, 3, 7, 12, 180, 501)] == [1, 1, 5, 10, 20, 200, 1000]


def test_stacked_columns_stack_series_and_scale_to_the_tallest_day():
    chart = charts.stacked_columns("t", ["2026-01-01", "2026-01-02"],
                                   {"a": ("A", [2, 0]), "b": ("B", [3, 5])})
    plot_h = chart.height - charts.PLOT_TOP - charts.PLOT_BOTTOM
    first = [r for r in chart.rects if r.title.startswith("2026-01-01")]
    assert [r.series for r in first] == ["a", "b"]
    assert sum(r.height for r in first) == plot_h  # 5 of a nice maximum of 5
    assert first[1].y + first[1].height == first[0].y  # b sits on a
    assert len([r for r in chart.rects if r.title.startswith("2026-01-02")]) == 1  # no zero-height bars
    assert chart.legend == [("a", "A"), ("b", "B")]


def test_horizontal_bars_show_percentages():
    chart = charts.horizontal_bars("t", [("analytics", 0.5, "rate"), ("ads", 0.25, "rate")], maximum=1, percent=True)
    assert chart.rects[0].width == 2 * chart.rects[1].width
    assert "50.0%" in [label.text for label in chart.labels]


def test_no_data_gives_an_empty_chart():
    assert charts.stacked_columns("t", ["2026-01-01"], {"a": ("A", [0])}).empty
    assert charts.horizontal_bars("t", []).empty
