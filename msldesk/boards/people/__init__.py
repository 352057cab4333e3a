"""The people directory: service, search, duplicates, validation, NPI, names."""
