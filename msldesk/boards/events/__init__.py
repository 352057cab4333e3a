"""Events: service, agenda timing, fair-market value, counts, the event's day."""
