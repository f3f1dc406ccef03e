"""`manage.py analyse_portfolio`: text and JSON output, exit status per fail level, waivers, bad input."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command, execute_from_command_line
from django.utils import timezone

from portfolio.analysis.engine import result_cache
from portfolio.models import Waiver
from tests.portfolio.analysis.builders import PortfolioSpec, ServiceSpec, adopt_key_practices, build

MSP = "managed-service-provider"


@pytest.fixture(autouse=True)
def empty_result_cache():
    # Rolled-back tests reuse primary keys and revisions, so a cached result could leak between them.
    result_cache.clear()


def run(*args):
    """Call the command; return (exit status, stdout)."""
    stdout = StringIO()
    try:
        call_command("analyse_portfolio", *args, stdout=stdout, no_color=True)
    except SystemExit as exit:
        return exit.code, stdout.getvalue()
    return 0, stdout.getvalue()


UNNEEDED = {"continual-improvement": ("adopted", 3)}
# An owner-less service under a narrowed pattern whose key practices are all adopted: one warning.
OWNERLESS = ServiceSpec(key="noc", name="NOC", owner=None, patterns={MSP: ("operate",)},
                        raci={"operate": [("Platform", "A")]})
HIGHEST_LEVEL = {
    "none": PortfolioSpec(),
    "info": PortfolioSpec(adoptions=UNNEEDED),
    "warning": PortfolioSpec(services=[OWNERLESS], adoptions={**UNNEEDED, **adopt_key_practices([MSP])}),
    "error": PortfolioSpec(services=[OWNERLESS, ServiceSpec()],
                           adoptions={**UNNEEDED, **adopt_key_practices([MSP])}),
}
EXIT_STATUS = [
    pytest.param(highest, fail_level, status, id=f"{highest}-findings-fail-at-{fail_level}")
    for highest, statuses in {
        "none": (0, 0, 0),
        "info": (0, 0, 1),
        "warning": (0, 1, 1),
        "error": (1, 1, 1),
    }.items()
    for fail_level, status in zip(("error", "warning", "info"), statuses, strict=True)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("highest", "fail_level", "status"), EXIT_STATUS)
def test_exit_status_per_fail_level(highest, fail_level, status):
    build(HIGHEST_LEVEL[highest])

    assert run("acme", "--fail-level", fail_level)[0] == status
    assert run("acme", "--fail-level", fail_level, "--format", "json")[0] == status


@pytest.mark.django_db
def test_default_fail_level_is_error():
    build(HIGHEST_LEVEL["warning"])

    assert run("acme")[0] == 0


@pytest.mark.django_db
def test_text_output_groups_by_level():
    portfolio = build(PortfolioSpec(services=[ServiceSpec(owner=None)], adoptions=UNNEEDED))

    status, output = run("acme")

    assert status == 1
    assert output == (
        f"Portfolio “Acme” (acme) at revision {portfolio.revision}:\n"
        "\n"
        "ERRORS:\n"
        "service:crm: (VCP-E001) “CRM” is live but has no value chain pattern.\n"
        "\tHINT: Assign the pattern that describes who does what for this service, or a mix of patterns.\n"
        "\n"
        "WARNINGS:\n"
        "service:crm: (VCP-W008) “CRM” has no owning team.\n"
        "\tHINT: Name the team that owns the service and confirms its mapping.\n"
        "\n"
        "INFO:\n"
        "practice:continual-improvement: (VCP-I001) Continual Improvement is adopted, "
        "but no pattern in use needs it as a key practice.\n"
        "\tHINT: Check that the investment pays off; put effort into the key practices first.\n"
        "\n"
        "1 error, 1 warning, 1 info\n"
    )


@pytest.mark.django_db
def test_text_output_without_findings():
    build(PortfolioSpec())

    status, output = run("acme")

    assert status == 0
    assert output.splitlines()[1:] == ["No findings.", "", "0 errors, 0 warnings, 0 info"]


@pytest.mark.django_db
def test_verbosity_zero_prints_summary_only():
    build(HIGHEST_LEVEL["error"])

    status, output = run("acme", "--verbosity", "0")

    assert status == 1
    assert output == "1 error, 1 warning, 1 info\n"


@pytest.mark.django_db
def test_json_output_lists_findings():
    portfolio = build(PortfolioSpec(services=[ServiceSpec(patterns={MSP: ("operate",)})],
                                    adoptions=adopt_key_practices([MSP])))

    status, output = run("acme", "--format", "json")

    assert status == 1
    assert json.loads(output) == [{
        "portfolio": "acme",
        "revision": portfolio.revision,
        "code": "VCP-E002",
        "level": "error",
        "message": "“CRM”: no team is accountable for Operate.",
        "hint": "Make one team accountable; “Managed Service Provider” expects a technology team.",
        "subject": "service:crm/activity:operate",
        "service": "crm",
        "activity": "operate",
        "practice": None,
        "pattern": MSP,
        "factor": None,
    }]


@pytest.mark.django_db
def test_json_output_without_findings_is_empty_list():
    build(PortfolioSpec())

    assert run("acme", "--format", "json") == (0, "[]\n")


def waive(portfolio, code, subject, expires_in_days):
    user = get_user_model().objects.create_user(username="auditor")
    Waiver.objects.create(portfolio=portfolio, code=code, subject=subject, justification="Accepted risk.",
                          approver="CIO", accepted_by=user,
                          expires_on=timezone.localdate() + timedelta(days=expires_in_days))


@pytest.mark.django_db
def test_waived_finding_does_not_fail():
    portfolio = build(PortfolioSpec(services=[ServiceSpec()]))
    waive(portfolio, "VCP-E001", "service:crm", expires_in_days=30)

    status, output = run("acme")

    assert status == 0
    assert output.splitlines()[-1] == "0 errors, 0 warnings, 0 info (1 waived)"
    assert run("acme", "--format", "json") == (0, "[]\n")


@pytest.mark.django_db
def test_expired_waiver_fails_again():
    portfolio = build(PortfolioSpec(services=[ServiceSpec()]))
    waive(portfolio, "VCP-E001", "service:crm", expires_in_days=-1)

    status, output = run("acme")

    assert status == 1
    assert output.splitlines()[-1] == "1 error, 0 warnings, 0 info"


@pytest.mark.django_db
def test_unknown_portfolio_lists_known_keys():
    build(PortfolioSpec(), key="beta")
    build(PortfolioSpec(), key="acme")

    with pytest.raises(CommandError) as error:
        call_command("analyse_portfolio", "x")

    assert str(error.value) == "Portfolio 'x' not found. Known portfolios: acme, beta."
    assert error.value.returncode == 2


@pytest.mark.django_db
def test_unknown_portfolio_exits_2_on_command_line(capsys):
    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["manage.py", "analyse_portfolio", "x"])

    assert exit.value.code == 2
    assert "Portfolio 'x' not found. No portfolio exists yet." in capsys.readouterr().err


@pytest.mark.django_db
def test_findings_exit_1_on_command_line(capsys):
    build(HIGHEST_LEVEL["error"])

    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["manage.py", "analyse_portfolio", "acme", "--verbosity", "0"])

    assert exit.value.code == 1
    assert capsys.readouterr().out == "1 error, 1 warning, 1 info\n"


@pytest.mark.django_db
def test_invalid_fail_level_exits_2(capsys):
    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["manage.py", "analyse_portfolio", "acme", "--fail-level", "fatal"])

    assert exit.value.code == 2
    assert "invalid choice: 'fatal'" in capsys.readouterr().err
