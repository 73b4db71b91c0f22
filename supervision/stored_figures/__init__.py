"""Stored figures: one job, one record of when it ran, one freshness rule (docs/metrics.md,
"Stored figures").

Figures too slow to work out for every request (the organisation and service oversight
reports, HR's "supervision before leaving") are worked out by the hourly `stored-figures` job
(supervision/jobs/catalogue.py) through the same functions the live pages use, and kept by the
code that computes them (supervision.reports.stored, supervision.hr.stored). This package holds
what they share: when an organisation's figures were worked out (`models.StoredFiguresRun`),
whether they may be shown (`freshness.current_run`) and how a page says so
(`freshness.as_at_text`).
"""
