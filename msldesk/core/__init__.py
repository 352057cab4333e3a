"""Core: errors, progress, paths, settings, files, secrets and text rules every layer uses. No Qt."""
