"""Eligibility service: the pure rules engine (no database, no HTTP) and, later, its API.

Entry points for the service layer:
- `parameters.loader.default_parameters()` / `parameters.store.ParameterSet.from_records(rows)`:
  dated parameters; `.value(name, on)`, `.with_record(record)`, `.history(name)`.
- `benefits.catalogue.evaluate(code, facts, params, on)`, `benefits.describe.describe()`.
- `rules.household_exit.assess_exit`, `rules.village.assess_village_exit`,
  `rules.village.identify_key_village`, `rules.identification.identify`,
  `rules.targeting.is_targeted`, `entitlements.entitlements`.
- `batch.population.from_households`, `batch.exit.assess_exit_batch`,
  `batch.entitlements.entitlements_batch`, `batch.villages.village_totals`.
"""
