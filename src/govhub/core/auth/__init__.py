"""Who may do what: officers with roles, citizens, API keys and web sessions."""
