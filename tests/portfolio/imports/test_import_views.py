"""The import pages: access by role, upload and preview, apply, templates, limits and progress."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from portfolio.imports import jobs
from portfolio.imports.columns import KIND_ORDER
from portfolio.imports.jobs import JobState, job_create, job_load
from portfolio.imports.limits import MAX_UPLOAD_BYTES
from portfolio.imports.parse import UploadedFile
from portfolio.models import Membership, Role, Service
from tests.portfolio.imports.builders import csv_bytes, dump_portfolio_data, preview

TOKEN = "A" * 32
GOOD = [["Key", "Name", "Owner"], ["claims", "Claims portal", "Acme Cloud"], ["billing", "Billing", ""]]
BAD = [["Key", "Name", "Owner"], ["claims", "Claims portal", "Acme Cloud Ltd"], ["billing", "Billing", ""]]

GET_URLS = [
    ("import-upload", []),
    ("import-template", ["services.csv"]),
    ("import-job", [TOKEN]),
    ("import-status", [TOKEN]),
]
POST_URLS = [("import-upload", []), ("import-apply", [TOKEN])]


@pytest.fixture
def editor(portfolio, make_member, make_team, client):
    make_team(portfolio, "Acme Cloud", party_kind="vendor")
    user = make_member(portfolio, Role.EDITOR)
    client.force_login(user)
    return user


def upload(client, portfolio, rows, name="services.csv", data=None):
    files = SimpleUploadedFile(name, data if data is not None else csv_bytes(rows), content_type="text/csv")
    return client.post(reverse("import-upload", args=[portfolio.key]), {"files": files})


def token_of(response) -> str:
    assert response.status_code == 302, response.content[:500]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize(("name", "args"), GET_URLS)
def test_viewer_gets_403(client, portfolio, make_member, name, args):
    client.force_login(make_member(portfolio, Role.VIEWER))

    assert client.get(reverse(name, args=[portfolio.key, *args])).status_code == 403


@pytest.mark.parametrize(("name", "args"), POST_URLS)
def test_viewer_post_gets_403(client, portfolio, make_member, name, args):
    client.force_login(make_member(portfolio, Role.VIEWER))
    before = dump_portfolio_data()

    assert client.post(reverse(name, args=[portfolio.key, *args])).status_code == 403
    assert dump_portfolio_data() == before


@pytest.mark.parametrize(("name", "args"), GET_URLS + POST_URLS)
def test_non_member_gets_404(client, portfolio, make_portfolio, make_member, name, args):
    client.force_login(make_member(make_portfolio(), Role.OWNER))

    assert client.get(reverse(name, args=[portfolio.key, *args])).status_code in (404, 405)
    assert client.post(reverse(name, args=[portfolio.key, *args])).status_code in (404, 405)


@pytest.mark.parametrize(("name", "args"), GET_URLS)
def test_anonymous_is_sent_to_login(client, portfolio, name, args):
    response = client.get(reverse(name, args=[portfolio.key, *args]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.EDITOR, Role.OWNER])
def test_editors_and_owners_see_upload_page(client, portfolio, make_member, role):
    client.force_login(make_member(portfolio, role))

    response = client.get(reverse("import-upload", args=[portfolio.key]))

    assert response.status_code == 200
    assert b"Upload and preview" in response.content


def test_upload_shows_errors_and_writes_nothing(client, portfolio, editor):
    before = dump_portfolio_data()

    token = token_of(upload(client, portfolio, BAD))
    page = client.get(reverse("import-job", args=[portfolio.key, token])).content.decode()

    assert "Unknown team “Acme Cloud Ltd” — did you mean “Acme Cloud”?" in page
    assert "<td>row 2</td>" in page
    assert "<code>Acme Cloud Ltd</code>" in page
    assert "Apply the import" not in page
    assert dump_portfolio_data() == before


def test_upload_then_apply(client, portfolio, editor):
    token = token_of(upload(client, portfolio, GOOD))
    page = client.get(reverse("import-job", args=[portfolio.key, token])).content.decode()
    assert "Apply the import" in page
    assert not Service.objects.filter(portfolio=portfolio).exists()

    response = client.post(reverse("import-apply", args=[portfolio.key, token]))

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Import applied" in page
    keys = Service.objects.filter(portfolio=portfolio).values_list("key", flat=True)
    assert sorted(keys) == ["billing", "claims"]


def test_apply_twice_writes_once(client, portfolio, editor):
    token = token_of(upload(client, portfolio, GOOD))
    client.post(reverse("import-apply", args=[portfolio.key, token]))
    before = dump_portfolio_data()

    response = client.post(reverse("import-apply", args=[portfolio.key, token]), follow=True)

    assert "cannot be applied" in response.content.decode()
    assert dump_portfolio_data() == before


def test_apply_of_upload_with_errors_is_refused(client, portfolio, editor):
    token = token_of(upload(client, portfolio, BAD))
    before = dump_portfolio_data()

    client.post(reverse("import-apply", args=[portfolio.key, token]))

    assert dump_portfolio_data() == before


def test_apply_after_portfolio_changed_shows_new_errors(client, portfolio, editor):
    token = token_of(upload(client, portfolio, GOOD))
    portfolio.teams.get(name="Acme Cloud").delete()

    response = client.post(reverse("import-apply", args=[portfolio.key, token]), follow=True)

    page = response.content.decode()
    assert "The portfolio changed since the preview" in page
    assert "Unknown team “Acme Cloud”" in page
    assert not Service.objects.filter(portfolio=portfolio).exists()


def test_second_upload_of_same_file_is_all_unchanged(client, portfolio, editor):
    client.post(reverse("import-apply", args=[portfolio.key, token_of(upload(client, portfolio, GOOD))]))

    token = token_of(upload(client, portfolio, GOOD))
    page = client.get(reverse("import-job", args=[portfolio.key, token])).content.decode()

    assert "Every row matches what the portfolio already records" in page


def test_upload_above_size_limit(client, portfolio, editor):
    data = b"Key,Name\r\n" + b"x" * MAX_UPLOAD_BYTES

    response = upload(client, portfolio, None, data=data)

    assert response.status_code == 422
    assert "above the limit of 5 MB" in response.content.decode()


def test_upload_without_file(client, portfolio, editor):
    response = client.post(reverse("import-upload", args=[portfolio.key]), {})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_several_files_in_one_upload(client, portfolio, editor):
    teams = SimpleUploadedFile("teams.csv", csv_bytes([["Name", "Party kind"], ["Nimbus", "vendor"]]))
    services = SimpleUploadedFile("services.csv", csv_bytes([["Key", "Name", "Owner"], ["x", "X", "Nimbus"]]))

    response = client.post(reverse("import-upload", args=[portfolio.key]), {"files": [teams, services]})
    client.post(reverse("import-apply", args=[portfolio.key, token_of(response)]))

    assert Service.objects.get(portfolio=portfolio, key="x").owner.name == "Nimbus"


def test_job_of_another_user_is_not_found(client, portfolio, editor, make_member):
    token = token_of(upload(client, portfolio, GOOD))
    client.force_login(make_member(portfolio, Role.OWNER))

    assert client.get(reverse("import-job", args=[portfolio.key, token])).status_code == 404
    assert client.post(reverse("import-apply", args=[portfolio.key, token])).status_code == 404


def test_job_of_another_portfolio_is_not_found(client, portfolio, editor, make_portfolio, make_member):
    token = token_of(upload(client, portfolio, GOOD))
    other = make_portfolio()
    Membership.objects.create(portfolio=other, user=editor, role=Role.EDITOR)

    assert client.get(reverse("import-job", args=[other.key, token])).status_code == 404


def test_expired_job_is_deleted(client, portfolio, editor, monkeypatch):
    token = token_of(upload(client, portfolio, GOOD))
    later = time.time() + jobs.UPLOAD_LIFETIME_SECONDS + 1
    monkeypatch.setattr(jobs.time, "time", lambda: later)

    assert client.get(reverse("import-job", args=[portfolio.key, token])).status_code == 404
    assert not (jobs.work_dir() / token).exists()


def test_job_page_queries(client, portfolio, editor, django_assert_max_num_queries):
    token = token_of(upload(client, portfolio, BAD))

    # The session, the user, the membership and the header's portfolio switcher; the preview is read
    # from the job folder, so the count does not grow with the upload.
    with django_assert_max_num_queries(4):
        client.get(reverse("import-job", args=[portfolio.key, token]))


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_csv_template_has_header_and_example(client, portfolio, editor, kind):
    response = client.get(reverse("import-template", args=[portfolio.key, f"{kind.value}.csv"]))

    assert response["Content-Disposition"] == f'attachment; filename="{kind.value}.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2


def test_csv_templates_import_cleanly(client, portfolio, editor):
    files = [(f"{kind.value}.csv",
              client.get(reverse("import-template", args=[portfolio.key, f"{kind.value}.csv"])).content)
             for kind in KIND_ORDER]

    plan = preview(portfolio, *files)

    assert not plan.has_errors
    assert len(plan.outcomes) == len(KIND_ORDER)


def test_xlsx_template_sheets_import_cleanly(client, portfolio, editor):
    response = client.get(reverse("import-template", args=[portfolio.key, "portfolio-import.xlsx"]))

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [kind.label for kind in KIND_ORDER]
    assert workbook["Services"]["A1"].value == "Key"
    plan = preview(portfolio, ("portfolio-import.xlsx", response.content))
    assert not plan.has_errors
    assert plan.totals()["create"] == len(KIND_ORDER)


def test_unknown_template_is_404(client, portfolio, editor):
    assert client.get(reverse("import-template", args=[portfolio.key, "waivers.csv"])).status_code == 404


def test_status_of_running_job_polls(client, portfolio, editor):
    job = job_create(portfolio_id=portfolio.pk, user_id=editor.pk, language="en",
                     files=[UploadedFile("services.csv", csv_bytes(GOOD))])
    job.phase, job.done, job.total = "checking", 250, 1000
    job.save()

    response = client.get(reverse("import-status", args=[portfolio.key, job.token]), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<progress max="1000" value="250">' in page
    assert "<h1>" not in page


def test_status_of_finished_job_redirects(client, portfolio, editor):
    token = token_of(upload(client, portfolio, GOOD))
    url = reverse("import-status", args=[portfolio.key, token])

    htmx = client.get(url, HTTP_HX_REQUEST="true")
    plain = client.get(url)

    job_url = reverse("import-job", args=[portfolio.key, token])
    assert htmx["HX-Redirect"] == job_url
    assert plain.status_code == 302
    assert plain["Location"] == job_url


def test_stale_job_is_shown_as_failed(client, portfolio, editor, monkeypatch):
    job = job_create(portfolio_id=portfolio.pk, user_id=editor.pk, language="en",
                     files=[UploadedFile("services.csv", csv_bytes(GOOD))])
    later = time.time() + jobs.STALE_SECONDS + 1
    monkeypatch.setattr(jobs.time, "time", lambda: later)

    page = client.get(reverse("import-job", args=[portfolio.key, job.token])).content.decode()

    assert "The import stopped before it finished" in page


@pytest.mark.django_db(transaction=True)
def test_large_upload_runs_in_background(client, portfolio, editor, settings):
    settings.IMPORT_BACKGROUND_BYTES = 0
    token = token_of(upload(client, portfolio, GOOD))

    job = wait_for(portfolio, editor, token, JobState.PREVIEWED)
    assert job.summary()["totals"]["create"] == 2
    client.post(reverse("import-apply", args=[portfolio.key, token]))
    wait_for(portfolio, editor, token, JobState.APPLIED)

    assert Service.objects.filter(portfolio=portfolio).count() == 2


def wait_for(portfolio, user, token, state, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = job_load(token, portfolio_id=portfolio.pk, user_id=user.pk)
        if job.state == state:
            return job
        time.sleep(0.05)
    raise AssertionError(f"Job {token} did not reach {state} within {timeout} s; it is {job.state}.")
