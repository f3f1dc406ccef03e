"""The governance report: one model built from a portfolio's analysis, and its renderers.

`build.build_report` makes a `model.Report`; `html`, `pdf`, `xlsx`, `csv_export` and
`serialise` render it; `publishing` stores immutable snapshots and `diff` compares two.
"""
