"""Organisations: the tree of ministries, provinces, their departments, communes and enterprises."""
