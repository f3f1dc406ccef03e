"""The JSON API under /api/v1/, built with django-ninja; `portfolio.api.main.api` is its entry point."""
