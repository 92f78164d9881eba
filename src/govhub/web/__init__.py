"""The web shell: one layout, the Jinja environment and the packaged static files."""
