"""PowerPoint packages at the OOXML level: reading, checking, composing, resizing."""
