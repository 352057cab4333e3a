"""Meeting capture: service, what was typed, the compliance guard, audiences."""
