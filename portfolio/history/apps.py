from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    name = "portfolio.history"
    label = "portfolio_history"
    verbose_name = _("Change history")

    def ready(self):
        from portfolio.history import recording, time_zones  # noqa: F401  (connect the signal receivers)
