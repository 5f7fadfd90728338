"""The reviewable parameter files; a package only so that packaging ships its YAML files."""
