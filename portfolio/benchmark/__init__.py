"""The benchmark behind `manage.py benchmark`: a portfolio generator, a naive rule loop, timing.

Nothing in the request path imports this package.
"""
