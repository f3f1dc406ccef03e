from django.urls import path

from portfolio import views
from portfolio.views import findings, imports, reports, waivers

urlpatterns = [
    path("", views.home, name="home"),
    path("p/<str:key>/", views.dashboard, name="dashboard"),
    path("p/<str:key>/services/", views.services, name="service-list"),
    path("p/<str:key>/services/<str:service_key>/", views.service_detail, name="service-detail"),
    path("p/<str:key>/services/<str:service_key>/patterns/", views.assign_pattern,
         name="service-assign-pattern"),
    path("p/<str:key>/services/<str:service_key>/patterns/<str:pattern_key>/remove/", views.remove_pattern,
         name="service-remove-pattern"),
    path("p/<str:key>/services/<str:service_key>/raci/<str:activity_key>/accountable/", views.set_accountable,
         name="service-set-accountable"),
    path("p/<str:key>/findings/", findings.findings_page, name="findings"),
    path("p/<str:key>/findings/waivers/", waivers.accept, name="waiver-accept"),
    path("p/<str:key>/findings/waivers/<int:waiver_id>/revoke/", waivers.revoke, name="waiver-revoke"),
    path("p/<str:key>/report/", reports.report_page, name="report"),
    path("p/<str:key>/report/publish/", reports.publish, name="report-publish"),
    path("p/<str:key>/reports/", reports.published_list, name="report-published-list"),
    path("p/<str:key>/reports/diff/", reports.published_diff, name="report-diff"),
    path("p/<str:key>/reports/<int:report_id>/", reports.published_detail, name="report-published"),
    path("p/<str:key>/import/", imports.import_upload, name="import-upload"),
    path("p/<str:key>/import/templates/<str:name>", imports.import_template, name="import-template"),
    path("p/<str:key>/import/<str:token>/", imports.import_job, name="import-job"),
    path("p/<str:key>/import/<str:token>/status/", imports.import_status, name="import-status"),
    path("p/<str:key>/import/<str:token>/apply/", imports.import_apply, name="import-apply"),
]
