"""Identification, household exit, targeting and key-village rules (RULES.md §2–5)."""
