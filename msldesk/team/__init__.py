"""The laptop's side of the team hub: which hub this library uses, what it pulled and what it pushed."""
