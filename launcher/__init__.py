"""Runs the whole product on one machine: `./yc run`."""
