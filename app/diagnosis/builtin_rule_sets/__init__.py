"""The built-in rule sets, as data files."""
