"""One router per resource; each module holds its schemas next to its operations."""
