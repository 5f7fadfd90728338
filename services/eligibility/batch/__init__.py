"""Column-wise evaluation of many households at once (numpy, integer fen in int64 arrays).

The single-household path (`rules.household_exit`, `entitlements`) is the oracle: this engine
must give the same amounts and the same reasons, only faster.
"""
