from datetime import date, timedelta
from decimal import Decimal

from studio.usage.charts import OTHERS, OTHERS_COLOR, stacked_daily_chart

DAYS = [date(2025, 1, 1) + timedelta(days=n) for n in range(3)]


def test_bars_stack_biggest_series_at_the_bottom_on_a_nice_scale():
    values = {
        (DAYS[0], "a"): Decimal(30),
        (DAYS[0], "b"): Decimal(10),
        (DAYS[2], "b"): Decimal(5),
    }
    chart = stacked_daily_chart(title="t", days=DAYS, values=values, labels={"a": "Ann", "b": "Bo"})
    assert [s.label for s in chart.series] == ["Ann", "Bo"]
    assert [t.label for t in chart.y_ticks] == ["0", "12.5", "25", "37.5", "50"]
    first_day = [s for s in chart.segments if s.title.startswith("1 Jan")]
    ann, bo = first_day
    assert ann.y > bo.y  # Ann is drawn first, lowest
    assert ann.height == 3 * bo.height
    assert ann.y + ann.height == chart.plot_bottom
    assert [r.day for r in chart.rows] == [DAYS[0], DAYS[2]]
    assert chart.rows[0].values == ["30", "10"] and chart.rows[0].total == "40"


def test_series_past_the_palette_are_folded_into_others():
    values = {(DAYS[0], f"m{i}"): Decimal(10 - i) for i in range(10)}
    chart = stacked_daily_chart(title="t", days=DAYS, values=values, labels={}, max_series=4)
    assert len(chart.series) == 4
    others = chart.series[-1]
    assert others.key == OTHERS and others.color == OTHERS_COLOR and others.label == "7 others"
    assert others.total == sum(Decimal(10 - i) for i in range(3, 10))


def test_refunds_are_listed_but_not_drawn_and_empty_is_empty():
    chart = stacked_daily_chart(
        title="t", days=DAYS, values={(DAYS[1], "a"): Decimal(-2)}, labels={}
    )
    assert chart.empty and chart.rows[0].values == ["-2"]
    assert stacked_daily_chart(title="t", days=DAYS, values={}, labels={}).empty
