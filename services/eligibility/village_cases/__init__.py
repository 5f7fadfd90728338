"""Key-village exit cases: the procedure of RULES.md §4, with dated events."""
