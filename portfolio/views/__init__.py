"""Portfolio pages, one module per page; the service page's writes are in `service_edit`."""

from portfolio.views.dashboard import dashboard
from portfolio.views.home import home
from portfolio.views.service_detail import service_detail
from portfolio.views.service_edit import assign_pattern, remove_pattern, set_accountable
from portfolio.views.service_list import services

__all__ = ["assign_pattern", "dashboard", "home", "remove_pattern", "service_detail", "services",
           "set_accountable"]
