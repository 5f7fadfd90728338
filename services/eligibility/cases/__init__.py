"""Household exit cases: the procedure of RULES.md §3 (一评议一公示一公告), with dated events."""
