"""`manage.py import_portfolio`: the preview printed, exit status 1 and nothing written on errors."""

import pytest
from django.core.management import CommandError, call_command

from portfolio.models import Service
from tests.portfolio.imports.builders import csv_bytes, dump_portfolio_data

GOOD = [["Key", "Name"], ["claims", "Claims portal"], ["billing", "Billing"]]
BAD = [["Key", "Name", "Owner"], ["claims", "Claims portal", "Acme Cloud Ltd"]]


@pytest.fixture
def write_csv(tmp_path):
    def write(rows, name="services.csv"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return str(path)

    return write


def run(*args):
    return call_command("import_portfolio", *args)


def test_import_writes_and_prints_summary(portfolio, write_csv, capsys):
    run(write_csv(GOOD), "--portfolio", portfolio.key)

    out = capsys.readouterr().out
    assert "Services: 2 to create, 0 to update, 0 unchanged, 0 with errors" in out
    assert "Imported into “Acme Insurance”: 2 rows created, 0 updated, 0 unchanged." in out
    keys = Service.objects.filter(portfolio=portfolio).values_list("key", flat=True)
    assert sorted(keys) == ["billing", "claims"]


def test_dry_run_writes_nothing(portfolio, write_csv, capsys):
    before = dump_portfolio_data()

    run(write_csv(GOOD), "--portfolio", portfolio.key, "--dry-run")

    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert dump_portfolio_data() == before


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_errors_exit_with_status_1(portfolio, make_team, write_csv, capsys, dry_run):
    make_team(portfolio, "Acme Cloud")
    before = dump_portfolio_data()

    with pytest.raises(CommandError) as error:
        run(write_csv(BAD), "--portfolio", portfolio.key, *dry_run)

    assert error.value.returncode == 1
    assert str(error.value) == "1 error; nothing was written."
    err = capsys.readouterr().err
    assert ("Error: services.csv, row 2, column “Owner”, value “Acme Cloud Ltd”: Unknown team "
            "“Acme Cloud Ltd” — did you mean “Acme Cloud”?") in err
    assert dump_portfolio_data() == before


def test_second_run_reports_everything_unchanged(portfolio, write_csv, capsys):
    path = write_csv(GOOD)
    run(path, "--portfolio", portfolio.key)
    capsys.readouterr()

    run(path, "--portfolio", portfolio.key)

    assert "Services: 0 to create, 0 to update, 2 unchanged, 0 with errors" in capsys.readouterr().out


def test_unknown_portfolio(db, write_csv):
    with pytest.raises(CommandError, match=r"No portfolio has the key “nope”\."):
        run(write_csv(GOOD), "--portfolio", "nope")


def test_missing_file(portfolio, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv: No such file or directory\."):
        run(str(tmp_path / "missing.csv"), "--portfolio", portfolio.key)

