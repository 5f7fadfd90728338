"""Code lists of the national poverty-alleviation information system."""
