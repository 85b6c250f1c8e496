"""The built-in question sets, as data files."""
