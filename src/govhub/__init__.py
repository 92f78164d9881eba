"""GovHub: one installable platform for a ministry's or province's digital government."""

__version__ = "0.1.0"
