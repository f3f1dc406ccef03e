"""Workshops: a facilitated session that walks an agenda of services and records its decisions.

A Django app of its own (label `workshops`) inside the portfolio package, so
that its tables and migrations move independently of `portfolio`'s.
"""
