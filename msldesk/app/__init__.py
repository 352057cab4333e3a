"""The application layer: the services of one library folder, composed; audit histories of items."""
