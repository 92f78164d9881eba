"""Online public services (DVCTT) and one-stop dossier processing (một cửa)."""
