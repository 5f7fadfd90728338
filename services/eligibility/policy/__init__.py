"""Policy parameters in the service's database: seeded from the reviewable YAML files at
start, extended by dated values officials enter, served as an immutable `ParameterSet`."""
