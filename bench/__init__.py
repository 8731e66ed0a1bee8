"""Benchmarks of the suite against plain Odoo, measured in one run on this machine (see README, Performance)."""
