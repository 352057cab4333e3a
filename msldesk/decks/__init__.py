"""The slide-deck library: import, index, search and thumbnails of approved PowerPoint decks."""
