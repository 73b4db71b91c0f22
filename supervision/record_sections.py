"""The sections of a supervision record, in page order: what the record form shows, what the
sign-off rule (supervision.records.signoff) checks, and what an agreement may make optional
(supervision.agreements.rules). Here, below both, so the agreement never reads the record's rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    hint: str
    # Personal sections are never part of a case-note export.
    personal: bool = False
    # Case discussions are entries of their own, not one text.
    is_text: bool = True


SECTIONS: tuple[Section, ...] = (
    Section(
        "wellbeing",
        "Wellbeing and staff care",
        "How the supervisee is, the emotional impact of the work and any support needed.",
        personal=True,
    ),
    Section("workload", "Workload and caseload", "Caseload, capacity, allocation and priorities."),
    Section(
        "case_discussions",
        "Case discussions",
        "One entry per case: reference, summary, analysis, decision and actions.",
        is_text=False,
    ),
    Section(
        "learning", "Learning and development", "Training, reading, practice development and ASYE progress."
    ),
    Section(
        "reflection", "Reflection", "What the supervisee and supervisor reflected on, and what was learnt."
    ),
    Section(
        "health_and_leave",
        "Leave, sickness, health and safety",
        "Leave planned or taken, sickness, health, lone working and safety.",
        personal=True,
    ),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
TEXT_SECTIONS = tuple(section for section in SECTIONS if section.is_text)
