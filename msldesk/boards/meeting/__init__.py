"""Meeting capture: the service in layers (base, running, entries, service), entry rows, what was typed,
the compliance guard, audiences."""
