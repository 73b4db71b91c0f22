"""JSON API under /api/v1 with a generated OpenAPI document (issue 8)."""
