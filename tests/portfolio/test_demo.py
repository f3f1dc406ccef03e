"""The demo portfolio: its loader, its content, the findings it shows and `manage.py load_demo`."""

import copy
import datetime
import json
import logging
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from patterns.models import PartyKind, Pattern
from portfolio.analysis import analyse_portfolio
from portfolio.analysis.registry import all_rules
from portfolio.demo.loader import DATA_FILE, DEMO_PORTFOLIO_KEY, demo_load
from portfolio.demo.validation import DemoDataError
from portfolio.models import (
    Membership,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    Responsibility,
    Role,
    Service,
    Team,
    Waiver,
)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
REPOSITORY = Path(__file__).resolve().parents[2]
OUTPUT_PASSWORD = re.compile(r"^Log in at http://127\.0\.0\.1:8000/ as (\S+) / (\S+)$", re.MULTILINE)


@pytest.fixture
def demo_data():
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def demo(db):
    return demo_load(reset=True)


def row_counts(portfolio):
    return {
        "teams": Team.objects.filter(portfolio=portfolio).count(),
        "services": Service.objects.filter(portfolio=portfolio).count(),
        "assignments": PatternAssignment.objects.filter(service__portfolio=portfolio).count(),
        "responsibilities": Responsibility.objects.filter(service__portfolio=portfolio).count(),
        "adoptions": PracticeAdoption.objects.filter(portfolio=portfolio).count(),
    }


def demo_content(portfolio):
    """Describe the portfolio by names and keys only, so ids and the revision do not count."""
    portfolio = Portfolio.objects.get(pk=portfolio.pk)
    services = {}
    for service in Service.objects.filter(portfolio=portfolio).select_related("owner"):
        services[service.key] = {
            "name": service.name, "description": service.description, "status": service.status,
            "owner": service.owner.name if service.owner else None, "context": service.context,
            "patterns": sorted((a.pattern_id, tuple(a.activities)) for a in service.assignments.all()),
            "raci": sorted(service.responsibilities.values_list("activity_id", "team__name", "role")),
        }
    return {
        "portfolio": (portfolio.name, portfolio.description, portfolio.min_capability_level),
        "teams": sorted(Team.objects.filter(portfolio=portfolio)
                        .values_list("name", "party_kind", "contact", "member_count")),
        "services": services,
        "adoptions": sorted(PracticeAdoption.objects.filter(portfolio=portfolio)
                            .values_list("practice_id", "status", "capability_level", "owner__name")),
    }


def write_data(tmp_path, data):
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def service_entry(data, key):
    return next(entry for entry in data["services"] if entry["key"] == key)


# Loading


def test_load_writes_every_entry_of_file(demo, demo_data):
    cells = sum(len(names) for entry in demo_data["services"]
                for roles in entry["raci"].values() for names in roles.values())

    counts = row_counts(demo)

    assert demo.key == DEMO_PORTFOLIO_KEY
    assert demo.name == "Harbourline Mutual"
    assert counts["teams"] == len(demo_data["teams"])
    assert counts["services"] == len(demo_data["services"])
    assert counts["assignments"] == sum(len(entry["patterns"]) for entry in demo_data["services"])
    assert counts["responsibilities"] == cells
    assert counts["adoptions"] == len(demo_data["practices"])


def test_load_has_realistic_size(demo):
    counts = row_counts(demo)

    assert counts["teams"] >= 12
    assert 20 <= counts["services"] <= 30
    assert set(Service.objects.filter(portfolio=demo).values_list("status", flat=True)) == {
        "planned", "live", "retired"}


def test_load_twice_gives_same_content(demo):
    first_counts, first_content = row_counts(demo), demo_content(demo)

    again = demo_load(reset=True)

    assert again.pk == demo.pk
    assert row_counts(again) == first_counts
    assert demo_content(again) == first_content
    assert Portfolio.objects.filter(key=DEMO_PORTFOLIO_KEY).count() == 1


def test_reset_raises_revision(demo):
    again = demo_load(reset=True)

    assert again.revision > demo.revision


def test_load_without_reset_keeps_edits(demo):
    Service.objects.filter(portfolio=demo, key="broker-crm").update(name="Broker CRM (renamed)")

    kept = demo_load(reset=False)

    assert kept.pk == demo.pk
    assert Service.objects.get(portfolio=demo, key="broker-crm").name == "Broker CRM (renamed)"


def test_load_without_reset_creates_missing_demo(db):
    portfolio = demo_load(reset=False)

    assert row_counts(portfolio)["services"] > 0


def test_load_without_reset_reads_few_queries(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        demo_load(reset=False)


def test_reset_restores_edits_and_drops_waivers(demo, make_member):
    content = demo_content(demo)
    user = make_member(demo, role=Role.OWNER)
    Waiver.objects.create(portfolio=demo, code="VCP-W008", subject="service:kittiwake-rating-gateway",
                          justification="Owner chosen next month.", approver="CIO",
                          expires_on=datetime.date(2030, 1, 1), accepted_by=user)
    Service.objects.filter(portfolio=demo, key="broker-crm").update(name="Broker CRM (renamed)")
    Team.objects.create(portfolio=demo, name="Extra team", party_kind="business")

    demo_load(reset=True)

    assert demo_content(demo) == content
    assert not Waiver.objects.filter(portfolio=demo).exists()
    assert Membership.objects.filter(portfolio=demo, user=user).exists()


def test_bare_pattern_governs_its_scope(demo):
    scope = list(Pattern.objects.get(key="internal-product-vendor").expectations
                 .order_by("activity__position").values_list("activity_id", flat=True))

    assignment = PatternAssignment.objects.get(service__portfolio=demo, service__key="pricing-engine")

    assert assignment.activities == scope


def test_mix_assignment_keeps_listed_activities(demo):
    activities = dict(PatternAssignment.objects.filter(service__portfolio=demo, service__key="broker-crm")
                      .values_list("pattern_id", "activities"))

    assert activities["internal-product-vendor"] == ["build"]
    assert "build" not in activities["internal-service-delivery"]


# Content


def test_demo_covers_every_pattern(demo):
    used = set(PatternAssignment.objects.filter(service__portfolio=demo).values_list("pattern_id", flat=True))

    assert used == set(Pattern.objects.filter(shipped=True).values_list("key", flat=True))
    assert len(used) == 6


def test_demo_covers_every_party_kind(demo):
    kinds = set(Team.objects.filter(portfolio=demo).values_list("party_kind", flat=True))

    assert kinds == set(PartyKind.values)


def test_demo_teams_have_contact_and_size(demo):
    teams = Team.objects.filter(portfolio=demo)

    assert not teams.filter(contact="").exists()
    assert not teams.filter(member_count__isnull=True).exists()


def test_demo_has_mixes_of_two_and_three(demo):
    sizes = Counter(PatternAssignment.objects.filter(service__portfolio=demo)
                    .values_list("service__key", flat=True))

    assert 2 in sizes.values()
    assert 3 in sizes.values()


def test_demo_has_japanese_and_arabic_names(demo):
    service_names = list(Service.objects.filter(portfolio=demo).values_list("name", flat=True))
    team_names = list(Team.objects.filter(portfolio=demo).values_list("name", flat=True))
    names = service_names + team_names

    assert any(JAPANESE.search(name) for name in service_names)
    assert any(ARABIC.search(name) for name in names)
    assert any(re.search(r"[éèà]", name) for name in names)


def test_demo_records_practices_of_every_status(demo):
    adoptions = PracticeAdoption.objects.filter(portfolio=demo)

    assert set(adoptions.values_list("status", flat=True)) == {"adopted", "planned", "not_adopted"}
    assert adoptions.filter(status="adopted", capability_level=1).exists()
    assert adoptions.filter(owner__party_kind=PartyKind.SERVICE_PROVIDER).exists()


# Findings


def test_demo_fires_every_rule(demo):
    found = Counter(finding.code for finding in analyse_portfolio(demo).findings)

    for rule in all_rules():
        assert found[rule.code] >= 1, f"{rule.code} ({rule.title}) finds nothing in the demo portfolio"


def test_demo_notes_mark_services_with_findings(demo, demo_data):
    result = analyse_portfolio(demo)
    analysed = [entry for entry in demo_data["services"] if entry["status"] != "retired"]

    for entry in analysed:
        codes = sorted(finding.code for finding in result.for_service(entry["key"]))
        if "demo_note" in entry:
            assert codes, f"{entry['key']} has a demo_note but no finding"
        else:
            assert codes == [], f"{entry['key']} has no demo_note but findings {codes}"


def test_demo_notes_mark_practices_with_findings(demo, demo_data):
    flagged = {finding.practice for finding in analyse_portfolio(demo).findings if finding.practice}
    noted = {entry["practice"] for entry in demo_data["practices"] if "demo_note" in entry}

    assert flagged == noted


def test_most_demo_services_are_clean(demo):
    result = analyse_portfolio(demo)
    analysed = Service.objects.filter(portfolio=demo).exclude(status="retired")
    keys = list(analysed.values_list("key", flat=True))

    clean = [key for key in keys if not result.for_service(key)]

    assert len(clean) > len(keys) / 2


# Bad data


def _drop_owner_team(data):
    service_entry(data, "pricing-engine")["owner"] = "Nobody & Co"


def _unknown_pattern(data):
    service_entry(data, "pricing-engine")["patterns"] = ["outsourced-everything"]


def _activity_outside_scope(data):
    service_entry(data, "broker-crm")["patterns"][1]["activities"] = ["build", "acquire-more"]


def _mix_without_activities(data):
    service_entry(data, "broker-crm")["patterns"][1] = "internal-product-vendor"


def _duplicate_team(data):
    data["teams"].append({"name": "core platforms", "party_kind": "technology"})


def _bad_status(data):
    service_entry(data, "hosting")["status"] = "sunset"


def _unknown_raci_team(data):
    service_entry(data, "hosting")["raci"]["operate"] = {"A": ["Mystery Hosting"]}


def _bad_context_option(data):
    service_entry(data, "mobile-app")["context"]["audience"] = "everyone"


def _unknown_field(data):
    service_entry(data, "mobile-app")["ower"] = "Digital Channels"


def _bad_party_kind(data):
    data["teams"][0]["party_kind"] = "partner"


def _bad_capability(data):
    data["practices"][0]["capability_level"] = 7


def _long_service_name(data):
    service_entry(data, "hosting")["name"] = "x" * 201


def _bad_service_key(data):
    service_entry(data, "hosting")["key"] = "data centre/hosting"


@pytest.mark.parametrize(("change", "expected"), [
    (_drop_owner_team, "Service 'pricing-engine', field 'owner': team 'Nobody & Co' not found"),
    (_unknown_pattern, "Service 'pricing-engine', field 'patterns': "
                       "pattern 'outsourced-everything' not found"),
    (_activity_outside_scope, "Service 'broker-crm', field 'patterns', pattern 'internal-product-vendor': "
                              "acquire-more is outside the pattern's scope"),
    (_mix_without_activities, "Service 'broker-crm', field 'patterns': 'internal-product-vendor' "
                              "is part of a mix"),
    (_duplicate_team, "Team 'core platforms': the name is used by 2 teams"),
    (_bad_status, "Service 'hosting', field 'status': 'sunset' is not one of"),
    (_unknown_raci_team, "Service 'hosting', field 'raci', activity 'operate', role 'A': "
                         "team 'Mystery Hosting' not found"),
    (_bad_context_option, "Service 'mobile-app', field 'context', factor 'audience': "
                          "'everyone' is not one of"),
    (_unknown_field, "Service 'mobile-app': unknown field 'ower'"),
    (_bad_party_kind, "Team 'Claims Operations', field 'party_kind': 'partner' is not one of"),
    (_bad_capability, "field 'capability_level': 7 is not a whole number from 1 to 5"),
    (_long_service_name, "Service 'hosting', field 'name':"),
    (_bad_service_key, "Service 'data centre/hosting', field 'key':"),
])
def test_bad_data_names_entry_and_field(db, demo_data, tmp_path, change, expected):
    change(demo_data)

    with pytest.raises(DemoDataError) as caught:
        demo_load(reset=True, path=write_data(tmp_path, demo_data))

    assert expected in str(caught.value)
    assert not Portfolio.objects.filter(key=DEMO_PORTFOLIO_KEY).exists()


@pytest.mark.parametrize("change", [_unknown_raci_team, _long_service_name])
def test_bad_data_leaves_existing_demo_unchanged(demo, demo_data, tmp_path, change):
    content, counts = demo_content(demo), row_counts(demo)
    broken = copy.deepcopy(demo_data)
    change(broken)

    with pytest.raises(DemoDataError):
        demo_load(reset=True, path=write_data(tmp_path, broken))

    assert row_counts(demo) == counts
    assert demo_content(demo) == content


def test_bad_json_names_line(db, tmp_path):
    path = tmp_path / "demo.json"
    path.write_text('{"portfolio": {"name": "X"},\n "teams": [,]}', encoding="utf-8")

    with pytest.raises(DemoDataError) as caught:
        demo_load(reset=True, path=path)

    assert "demo.json, line 2" in str(caught.value)


def test_bad_data_reports_every_problem(db, demo_data, tmp_path):
    _bad_status(demo_data)
    _unknown_field(demo_data)

    with pytest.raises(DemoDataError) as caught:
        demo_load(reset=True, path=write_data(tmp_path, demo_data))

    assert len(caught.value.errors) == 2
    assert not Portfolio.objects.filter(key=DEMO_PORTFOLIO_KEY).exists()


# The command


def run_load_demo(*args):
    output = []

    class Collect:
        def write(self, text):
            output.append(text)

        def flush(self):
            pass

    call_command("load_demo", *args, stdout=Collect())
    return "".join(output)


def test_command_prints_counts_and_login(db):
    output = run_load_demo()
    portfolio = Portfolio.objects.get(key=DEMO_PORTFOLIO_KEY)
    counts = row_counts(portfolio)

    assert f"Demo portfolio loaded: {counts['services']} services, {counts['teams']} teams." in output
    username, password = OUTPUT_PASSWORD.search(output).groups()
    assert username == "demo"
    assert get_user_model().objects.get(username="demo").check_password(password)


@pytest.mark.parametrize(("address", "url"), [
    ("127.0.0.1:8765", "http://127.0.0.1:8765/"),
    ("8766", "http://127.0.0.1:8766/"),
    ("localhost:8000", "http://localhost:8000/"),
    ("[::1]:8001", "http://[::1]:8001/"),
])
def test_command_prints_given_address(db, address, url):
    output = run_load_demo("--address", address)

    assert f"Log in at {url} as demo / " in output


@pytest.mark.parametrize("address", ["", "127.0.0.1", "http://127.0.0.1:8000/", "host:port", "a b:80"])
def test_command_rejects_invalid_address(db, address):
    with pytest.raises(CommandError, match="Invalid address"):
        run_load_demo("--address", address)

    assert not Portfolio.objects.filter(key=DEMO_PORTFOLIO_KEY).exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_address():
    """`make run ADDRESS=…` gives the address to load_demo as well as to runserver (dry run)."""
    result = subprocess.run(["make", "--dry-run", "run", "ADDRESS=127.0.0.1:8765"], cwd=REPOSITORY,
                            capture_output=True, text=True, check=True)

    assert "manage.py load_demo --address 127.0.0.1:8765" in result.stdout
    assert "manage.py runserver 127.0.0.1:8765" in result.stdout


def test_command_makes_user_owner(db):
    run_load_demo("--username", "facilitator")

    membership = Membership.objects.get(user__username="facilitator", portfolio__key=DEMO_PORTFOLIO_KEY)
    assert membership.role == Role.OWNER


def test_command_rerun_replaces_password(db):
    first = OUTPUT_PASSWORD.search(run_load_demo()).group(2)
    second = OUTPUT_PASSWORD.search(run_load_demo()).group(2)
    user = get_user_model().objects.get(username="demo")

    assert first != second
    assert user.check_password(second)
    assert not user.check_password(first)
    assert Membership.objects.filter(user=user).count() == 1


def test_command_promotes_existing_viewer(demo, make_member):
    user = make_member(demo, role=Role.VIEWER, username="demo")
    user.is_active = False
    user.save()

    run_load_demo()

    user.refresh_from_db()
    assert user.is_active
    assert Membership.objects.get(user=user, portfolio=demo).role == Role.OWNER


def test_command_without_reset_says_demo_was_kept(demo):
    Service.objects.filter(portfolio=demo, key="broker-crm").update(name="Broker CRM (renamed)")

    output = run_load_demo()

    assert "already existed and was kept" in output
    assert Service.objects.get(portfolio=demo, key="broker-crm").name == "Broker CRM (renamed)"


def test_command_reset_reloads_demo(demo):
    Service.objects.filter(portfolio=demo, key="broker-crm").update(name="Broker CRM (renamed)")

    output = run_load_demo("--reset")

    assert "already existed" not in output
    assert Service.objects.get(portfolio=demo, key="broker-crm").name == "Broker CRM"


def test_command_never_logs_password(db, caplog):
    with caplog.at_level(logging.DEBUG):
        output = run_load_demo()
    password = OUTPUT_PASSWORD.search(output).group(2)
    user = get_user_model().objects.get(username="demo")

    assert password not in caplog.text
    assert f"Demo user {user.pk} created" in caplog.text


def test_command_rejects_invalid_username(db):
    with pytest.raises(CommandError, match="Invalid username"):
        run_load_demo("--username", "no spaces allowed")


def test_command_reports_bad_data(db, monkeypatch):
    def broken_load(*, reset):
        raise DemoDataError(["Service 'x', field 'status': 'sunset' is not one of planned, live, retired."])

    monkeypatch.setattr("portfolio.management.commands.load_demo.demo_load", broken_load)

    with pytest.raises(CommandError, match="Service 'x', field 'status'"):
        run_load_demo()
