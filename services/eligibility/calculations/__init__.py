"""The benefit catalogue, single calculations and a household's entitlements (一户一策)."""
