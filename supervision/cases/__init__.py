"""Case oversight: each child's case gets management oversight in supervision (docs/cases.md)."""
