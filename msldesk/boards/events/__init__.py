"""Events: the service and its parts (agenda, attendance, checklist, payments), row conversions, fair-market
value, counts, the event's day."""
