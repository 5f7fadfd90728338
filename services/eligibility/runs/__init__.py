"""Batch runs: every household of an area assessed for a year (exit and entitlements),
facts loaded in bulk from the registry and evaluated column-wise, results kept for audit."""
