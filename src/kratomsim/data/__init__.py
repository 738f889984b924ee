"""Cited data files (YAML). See docs/data-format.md."""
