"""Vietnam's administrative units in both structures (63 provinces until 2025-06-30, 34 from 2025-07-01)."""
