"""Eligibility service: the pure rules engine (no database, no HTTP) and its API.

The engine:
- `parameters.loader.default_parameters()` / `parameters.store.ParameterSet.from_records(rows)`:
  dated parameters; `.value(name, on)`, `.with_record(record)`, `.history(name)`.
- `benefits.catalogue.evaluate(code, facts, params, on)`, `benefits.describe.describe()`.
- `rules.household_exit.assess_exit`, `rules.village.assess_village_exit`,
  `rules.village.identify_key_village`, `rules.identification.identify`,
  `rules.targeting.is_targeted`, `entitlements.entitlements`.
- `batch.population.from_households`, `batch.exit.assess_exit_batch`,
  `batch.entitlements.entitlements_batch`, `batch.villages.village_totals`.

The service (`main.create_app`): `policy` (parameters in the database, seeded from the files),
`calculations` (catalogue, calculate, 一户一策), `assessments` (§2–§5 from the registry or
inline), `cases` and `village_cases` (the exit procedures), `runs` (batch runs), `stats`,
`audit_log`; `registry_client` and `registry_facts` are the only code that knows the registry.
"""
