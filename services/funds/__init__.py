"""The funds service: where 专款专用 holds (RULES.md §7, 第十二章).

Money moves only as balanced transactions of a double-entry ledger in integer fen
(`ledger/`): a source's appropriation (Dr source, Cr funding), an allocation to an approved
project (Dr allocation, Cr source), a payment of an accepted project into a household's
一卡通 or to a contractor against an invoice (Dr payee, Cr allocation), an asset's income
and its distribution (Dr asset income, Cr revenue; Dr household, Cr asset income). A
correction is the mirror-image transaction; nothing is updated or deleted, and the
database refuses it. Each entry carries its account's running balance, computed by the
database under a lock on the account, which also refuses any balance below zero.
"""
