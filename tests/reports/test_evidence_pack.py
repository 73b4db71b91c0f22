"""The evidence pack: compliance, trends, gaps and audits for a team or service, ready to print."""

from tests.reports.helpers import summary_figures, table_rows
from tests.reports.test_oversight import ASSESSMENT, TEAM_A


def test_a_team_pack_holds_compliance_trends_gaps_and_audits(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.evidence_pack_team", team_id=org.team_a.id)

    assert page.h1.get_text() == "Assessment A"
    assert summary_figures(page) == TEAM_A
    pack = page.find(class_="app-evidence-pack")
    headings = [heading.get_text(strip=True) for heading in pack.find_all("h2")]
    assert headings == [
        "1. Compliance",
        "2. Trends",
        "3. Gaps and their reasons",
        "4. Quality audits",
        "5. Case oversight",
        "6. ASYE progress reviews today",
        "7. How the figures are worked out",
    ]
    assert len(table_rows(page, "trend")) == 12
    assert table_rows(page, "month-grid")[0][0] == "Alice Adams"
    checklist = {row[0]: row[1:] for row in table_rows(page, "checklist")}
    assert checklist["Was there an agenda?"] == ["1", "1"]
    text = page.get_text()
    assert "1 September 2026 to 23 November 2026" in text
    assert "23 November 2026 at 09:00 (UK time)" in text
    assert "Save as PDF" in text


def test_a_service_pack_compares_its_teams(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.evidence_pack_service", service_id=org.assessment.id)

    assert summary_figures(page) == ASSESSMENT
    assert [row[0] for row in table_rows(page, "by-team")] == ["Assessment A", "Assessment B"]


def test_the_pack_is_marked_for_print_styles_and_hides_controls_when_printed(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.evidence_pack_team", team_id=org.team_a.id)

    pack = page.find(class_="app-evidence-pack")
    assert pack.find("form", method="get").find_parent(class_="app-no-print") is not None
    with open("supervision/static/app.css", encoding="utf-8") as css:
        styles = css.read()
    assert "@media print" in styles and ".govuk-service-navigation" in styles.split("@media print")[1]
