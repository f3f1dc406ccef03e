from django.urls import path

from portfolio.workshops.views import board, changes, chooser, manage, minutes

app_name = "workshops"

urlpatterns = [
    path("", manage.workshop_list, name="list"),
    path("<int:workshop_id>/", manage.workshop_edit, name="edit"),
    path("<int:workshop_id>/agenda/", manage.agenda_add, name="agenda-add"),
    path("<int:workshop_id>/agenda/<int:item_id>/", manage.agenda_change, name="agenda-change"),
    path("<int:workshop_id>/status/", manage.workshop_status, name="status"),
    path("<int:workshop_id>/minutes/", minutes.workshop_minutes_page, name="minutes"),
    path("<int:workshop_id>/actions/<int:action_id>/done/", minutes.action_done, name="action-done"),
    path("<int:workshop_id>/board/", board.board_start, name="board"),
    path("<int:workshop_id>/board/<int:position>/", board.board, name="board-item"),
    path("<int:workshop_id>/board/<int:position>/poll/", board.board_poll, name="poll"),
    path("<int:workshop_id>/board/<int:position>/chooser/", chooser.chooser, name="chooser"),
    path("<int:workshop_id>/board/<int:position>/preview/", changes.change_preview, name="preview"),
    path("<int:workshop_id>/board/<int:position>/apply/", changes.decision_apply, name="apply"),
    path("<int:workshop_id>/board/<int:position>/actions/", changes.action_add, name="action-add"),
]
