from portfolio.views.home import home

__all__ = ["home"]
