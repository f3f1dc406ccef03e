"""Limits of one import; the upload page and docs/import-format.md quote them."""

# An upload above this many bytes, all files together, is rejected before it is read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Data rows of all tables together; header and blank rows do not count.
MAX_ROWS = 20_000
MAX_FILES = 10
# Columns read from each sheet or CSV file; further columns are ignored.
MAX_COLUMNS = 64
# An upload is kept this long for its apply, then deleted.
UPLOAD_LIFETIME_SECONDS = 60 * 60
# Rows that the preview lists by action; the counts always cover every row.
LISTED_ROWS_PER_ACTION = 200
LISTED_ERRORS = 1000
