"""Dated policy parameters: definitions and values in `data/*.yaml`, looked up by date."""
