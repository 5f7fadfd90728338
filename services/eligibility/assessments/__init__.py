"""Exit assessments (RULES.md §3), village exit (§4) and key-village identification (§5):
from the registry's records, or from facts sent inline."""
