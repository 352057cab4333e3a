"""People import: reading files of every kind, mapping columns, previewing, importing."""
