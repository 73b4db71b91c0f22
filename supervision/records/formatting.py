"""How dates and times read on pages: Europe/London, GOV.UK style (27 March 2026, 2:30pm)."""

from __future__ import annotations

from datetime import date, datetime

from flask.sansio.app import App
from markupsafe import Markup, escape

from supervision.clock import LONDON


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def time_of_day(value: datetime) -> str:
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.hour == 12 and local.minute == 0:
        return "midday"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def date_and_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.astimezone(LONDON):%A} {long_date(value)}, {time_of_day(value)}"


def paragraphs(text: str | None) -> Markup:
    """Free text as GOV.UK paragraphs: blank lines start a paragraph, single line breaks are kept."""
    blocks = [block.strip() for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    paragraph = Markup('<p class="govuk-body">{}</p>')
    return Markup("").join(
        paragraph.format(Markup("<br>").join(escape(line) for line in block.split("\n")))
        for block in blocks
        if block
    )


def register_filters(app: App) -> None:
    app.add_template_filter(paragraphs, "paragraphs")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(date_and_time, "date_and_time")
