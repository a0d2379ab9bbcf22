"""Glue for CI servers: what action.yml runs beside ``dataops-diff run`` (docs/ci.md)."""
