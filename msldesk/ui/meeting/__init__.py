"""Meeting mode: the focused window an MSL types into while an advisory board is running."""
