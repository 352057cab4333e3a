"""Qt item models: thin adapters over the services' frozen records."""
