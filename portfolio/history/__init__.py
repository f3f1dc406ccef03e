"""The change history of a portfolio: recording, grouping into change sets, the feed and restore.

The historical tables come from django-simple-history (one per registered model
in `portfolio.models`). Every historical row carries the change set of the user
action that wrote it; `recording` assigns them.
"""
