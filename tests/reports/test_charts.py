"""Charts: geometry from the numbers, and a sentence that says what the picture shows."""

from supervision.reports import charts
from supervision.reports.charts import Point


def months(*values):
    names = ["January", "February", "March", "April"]
    return [Point(f"{names[i]} 2026", names[i][:3], value) for i, value in enumerate(values)]


def test_a_trend_line_runs_from_left_to_right_with_100_percent_at_the_top():
    chart = charts.line_chart(months(1.0, 0.5, 0.0), "On time")

    assert chart.segments == ("48.0,16.0 336.0,118.0 624.0,220.0",)
    assert [tick.text for tick in chart.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert [tick.text for tick in chart.x_ticks] == ["Jan", "Feb", "Mar"]


def test_a_month_without_data_breaks_the_line_and_is_named_in_the_summary():
    chart = charts.line_chart(months(0.5, None, 0.75, 0.625), "On time")

    assert len(chart.segments) == 2
    assert len(chart.markers) == 3
    assert chart.summary == (
        "On time rose from 50% in January 2026 to 63% in April 2026. Highest 75% in March 2026; "
        "lowest 50% in January 2026. No data for February 2026."
    )


def test_trend_summaries_for_flat_single_and_empty_lines():
    assert charts.trend_summary(months(0.8, 0.8), "On time").startswith("On time stayed at 80%.")
    assert charts.trend_summary(months(None, 0.4), "On time") == (
        "On time: 40% in February 2026, the only month with data."
    )
    assert charts.trend_summary(months(None, None), "On time") == "On time: no data for any month shown."


def test_bars_are_as_long_as_their_share_and_the_summary_names_highest_and_lowest():
    teams = [Point("Team A", "A", 0.75), Point("Team B", "B", 1.0), Point("Team C", "C", None)]

    chart = charts.bar_chart(teams, "On time by team")

    assert [bar.width for bar in chart.bars] == [288.0, 384.0, 0]
    assert [bar.value_text for bar in chart.bars] == ["75%", "100%", "No data"]
    assert not chart.bars[2].has_value
    assert chart.summary == (
        "On time by team: highest Team B (100%), lowest Team A (75%). No data for Team C."
    )
