"""Organisation, services, teams and staff."""
