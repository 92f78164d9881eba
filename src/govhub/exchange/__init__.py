"""Data integration and sharing platform (NDXP/LGSP): registry, access rights, X-Road REST gateway, records."""
