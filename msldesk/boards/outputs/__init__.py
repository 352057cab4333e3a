"""Every file written for an event or a meeting: lists, PDFs, decks, calendars, payments."""
