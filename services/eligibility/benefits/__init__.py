"""One pure rule per benefit code of RULES.md §6; `catalogue` lists them all."""
