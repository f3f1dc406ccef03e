"""Bulk import of a portfolio's catalogue from CSV, XLSX or the JSON export.

The steps run in this order and each lives in its own module:

- `parse` reads the uploaded bytes into tables of raw rows (`reading_csv`,
  `reading_xlsx`, `reading_json`); `columns` maps the headers people type onto
  the fields of each kind of row.
- `validate` checks every row against the portfolio and the pattern library,
  loaded once by `lookups`, and returns an `ImportPlan`: each row marked as
  create, update, unchanged or error, with the changes and the errors.
- `apply` writes a plan without errors in bulk inside one transaction, after
  validating the files again against the data as it is then.
- `jobs` keeps an upload between preview and apply; `runner` runs the preview
  or the apply in a background thread when a file is large.

The file format is described in docs/import-format.md.
"""
