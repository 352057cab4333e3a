"""The team hub: a PostgreSQL database that holds the published library and the pooled meeting records."""
