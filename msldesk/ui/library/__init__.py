"""The library section: deck list, slide grid, search, preview and metadata editor."""
