"""The demo portfolio: a fictional insurer, Harbourline Mutual, loaded by `manage.py load_demo`.

`demo_portfolio.json` contains the data; `loader.demo_load` validates and writes it.
"""
