"""The plan's own tables, copied unchanged from the project's shared data.

A package (not a bare folder) so that the CSV files ship in the wheel with the code:
the product cannot read the shared folder at run time.
"""
