"""Data protection: a person's own data, and the retention purge (UK GDPR)."""
