"""The append-only record of every change made through an admin API, page or command."""
