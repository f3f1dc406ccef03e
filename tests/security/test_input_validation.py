"""Control characters, over-long text and invalid UTF-8 are rejected with a clear message, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portfolio.models import Portfolio, Role, Service, Team, Waiver
from portfolio.reports.publishing import report_publish
from portfolio.text import MAX_TEXT_LENGTH, validate_multiline_text, validate_no_control_characters

ONE_LINE_FIELDS = [
    (Portfolio, "name"),
    (Team, "name"),
    (Team, "contact"),
    (Service, "name"),
    (Waiver, "code"),
    (Waiver, "subject"),
    (Waiver, "approver"),
]
MULTILINE_FIELDS = [
    (Portfolio, "description"),
    (Service, "description"),
    (Waiver, "justification"),
]


def field_errors(model, field_name: str, value: str) -> list[str]:
    """Run the field's validators on `value` and return the messages."""
    try:
        model._meta.get_field(field_name).run_validators(value)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    ("value", "code_point", "position"),
    [
        ("Bell\x07", "U+0007", 5),
        ("\x1b[31mred", "U+001B", 1),
        ("nul\x00", "U+0000", 4),
        ("del\x7f", "U+007F", 4),
        ("c1\x85control", "U+0085", 3),
        ("tab\there", "U+0009", 4),
        ("line\nbreak", "U+000A", 5),
        ("lone \ud800 surrogate", "U+D800", 6),
    ],
)
def test_one_line_text_rejects_control_characters(value, code_point, position):
    with pytest.raises(ValidationError) as raised:
        validate_no_control_characters(value)

    assert raised.value.messages == [
        f"The text contains the control character {code_point} at position {position}; remove it."
    ]


@pytest.mark.parametrize("value", ["Payments platform", "Équipe données", "支付平台", "فريق", "👩🏽‍💻 team",
                                   "right\u200fto\u200eleft"])
def test_one_line_text_accepts_any_script(value):
    validate_no_control_characters(value)


def test_multiline_text_keeps_tab_and_line_breaks():
    validate_multiline_text("First line\r\nSecond\tline\n")


@pytest.mark.parametrize("value", ["Bell\x07", "form\x0cfeed", "vertical\x0btab", "esc\x1b"])
def test_multiline_text_rejects_other_control_characters(value):
    with pytest.raises(ValidationError):
        validate_multiline_text(value)


@pytest.mark.parametrize(("model", "field_name"), ONE_LINE_FIELDS)
def test_one_line_model_field_rejects_control_characters(model, field_name):
    assert field_errors(model, field_name, "A\x07B") == [
        "The text contains the control character U+0007 at position 2; remove it."
    ]


@pytest.mark.parametrize(("model", "field_name"), MULTILINE_FIELDS)
def test_multiline_model_field_keeps_line_breaks(model, field_name):
    assert field_errors(model, field_name, "One\nTwo\tThree") == []


@pytest.mark.parametrize(("model", "field_name"), MULTILINE_FIELDS)
def test_multiline_model_field_rejects_control_characters(model, field_name):
    assert field_errors(model, field_name, "One\x1bTwo") == [
        "The text contains the control character U+001B at position 4; remove it."
    ]


@pytest.mark.parametrize(("model", "field_name"), MULTILINE_FIELDS)
def test_multiline_model_field_limits_length(model, field_name):
    assert field_errors(model, field_name, "x" * MAX_TEXT_LENGTH) == []
    assert field_errors(model, field_name, "x" * (MAX_TEXT_LENGTH + 1)) == [
        f"Ensure this value has at most {MAX_TEXT_LENGTH} characters (it has {MAX_TEXT_LENGTH + 1})."
    ]


@pytest.fixture
def editor_client(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


def create_service(client, portfolio, **fields):
    form = {"key": "claims", "name": "Claims", "status": "live", **fields}
    return client.post(f"/p/{portfolio.key}/services/", form)


def test_service_form_rejects_a_control_character(editor_client, portfolio):
    response = create_service(editor_client, portfolio, name="Claims\x07")

    assert response.status_code == 422
    assert "control character U+0007 at position 7" in response.content.decode()
    assert not Service.objects.filter(portfolio=portfolio).exists()


def test_service_form_rejects_an_over_long_name(editor_client, portfolio):
    response = create_service(editor_client, portfolio, name="x" * 201)

    assert response.status_code == 422
    assert "Ensure this value has at most 200 characters (it has 201)." in response.content.decode()
    assert not Service.objects.filter(portfolio=portfolio).exists()


def test_service_form_accepts_any_script(editor_client, portfolio):
    response = create_service(editor_client, portfolio, name="Zahlungsverkehr – 支付 – مدفوعات")

    assert response.status_code == 302
    assert Service.objects.get(portfolio=portfolio).name == "Zahlungsverkehr – 支付 – مدفوعات"


@pytest.mark.parametrize("htmx", [False, True])
def test_invalid_utf8_form_body_is_rejected(editor_client, portfolio, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = editor_client.post(f"/p/{portfolio.key}/services/", b"key=claims&name=Cla%FFims&status=live",
                                  content_type="application/x-www-form-urlencoded", headers=headers)

    assert response.status_code == 400
    assert response.content.decode() == ("The request contains bytes that are not valid UTF-8. Send the text "
                                         "encoded as UTF-8.")
    assert not Service.objects.filter(portfolio=portfolio).exists()


def test_raw_invalid_utf8_form_body_is_rejected(editor_client, portfolio):
    response = editor_client.post(f"/p/{portfolio.key}/services/", b"key=claims&name=Cla\xc3\x28ims",
                                  content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400


def test_invalid_utf8_query_string_is_rejected(editor_client, portfolio):
    response = editor_client.get(f"/p/{portfolio.key}/services/", QUERY_STRING="q=caf%E9")

    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()


def test_valid_utf8_query_string_passes(editor_client, portfolio):
    response = editor_client.get(f"/p/{portfolio.key}/services/", QUERY_STRING="q=caf%C3%A9")

    assert response.status_code == 200


def test_import_rejects_a_control_character_in_its_cell(editor_client, portfolio, settings, tmp_path):
    settings.IMPORT_WORK_DIR = tmp_path
    upload = SimpleUploadedFile("services.csv", b"Key,Name\r\nclaims,Cla\x07ims\r\n", "text/csv")

    response = editor_client.post(f"/p/{portfolio.key}/import/", {"files": [upload]}, follow=True)

    assert response.status_code == 200
    assert "control character U+0007 at position 4" in response.content.decode()
    assert not Service.objects.filter(portfolio=portfolio).exists()


def test_report_by_a_user_with_a_long_name_publishes(portfolio, make_member):
    owner = make_member(portfolio, Role.OWNER)
    owner.first_name, owner.last_name = "F" * 150, "L" * 150
    owner.save()

    published = report_publish(portfolio=portfolio, user=owner)

    assert published.author_name == "F" * 150
