"""Reports: the team dashboard, the oversight report, quality audits and the evidence pack."""
