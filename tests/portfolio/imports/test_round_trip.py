"""Round trip of the JSON report: export it, import it into an empty portfolio, export again.

Everything goes through the real pages: the report download, the import upload
with its preview, and the apply. The two exports must be equal apart from what
names the portfolio or counts its writes, and the two portfolios must hold the
same rows.
"""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portfolio.imports.jobs import job_load
from portfolio.models import Membership, Role, Waiver
from tests.conftest import assign_pattern
from tests.portfolio.imports.builders import portfolio_content

ACCENTED = "Règlement des réclamations – Québec"
JAPANESE = "代理店ポータル"
ARABIC = "فريق البيانات"
EMOJI = "Rocket launch 🚀 desk"
DESCRIPTION = "Déclarer et suivre un sinistre.\nSecond line: 🚗 and مطالبات, with  two spaces."


@pytest.fixture
def owner(portfolio, make_member, client):
    user = make_member(portfolio, Role.OWNER, username="olivia")
    client.force_login(user)
    return user


@pytest.fixture
def rich(portfolio, make_team, make_service, make_responsibility, make_adoption):
    """A portfolio that uses every field the import reads, with names in several scripts."""
    teams = {
        "platform": make_team(portfolio, "Équipe Plateforme", "technology", contact="plateforme@example.fr",
                              member_count=12),
        "data": make_team(portfolio, ARABIC, "business", contact="data@example.com"),
        "customer": make_team(portfolio, "代理店ネットワーク", "customer", member_count=300),
        "vendor": make_team(portfolio, "Nimbus Cloud ☁️", "vendor", contact="Ana Núñez <ana@nimbus.example>",
                            member_count=0),
        "integrator": make_team(portfolio, "Acme Integrators", "service_provider"),
        # Named only as the owner of a practice adoption.
        "security": make_team(portfolio, "Sécurité 🔐", "technology", member_count=4),
        # Named by nothing at all.
        "idle": make_team(portfolio, "Réserve inactive", "technology", contact="reserve@example.com",
                          member_count=3),
    }

    claims = make_service(
        portfolio, "claims", name=ACCENTED, owner=teams["platform"], description=DESCRIPTION,
        context={"engineering_capability": "strong", "vendor_dependency": "high",
                 "risk_profile": "integration"},
    )
    assign_pattern(claims, "internal-service-delivery", ["acquire", "operate", "support"])
    assign_pattern(claims, "internal-product-vendor", ["build", "transition"])
    assign_pattern(claims, "service-integrator", ["discover", "design", "deliver"])
    raci = {
        "discover": [("data", "A"), ("platform", "R"), ("customer", "C"), ("integrator", "I")],
        "design": [("integrator", "A"), ("vendor", "R")],
        "acquire": [("vendor", "A"), ("platform", "C")],
        "build": [("platform", "A"), ("integrator", "R"), ("data", "I")],
        "transition": [("platform", "A")],
        "operate": [("platform", "A"), ("vendor", "R"), ("integrator", "C"), ("data", "I")],
        "deliver": [("data", "A"), ("integrator", "R"), ("customer", "I")],
        "support": [("platform", "A"), ("platform", "R"), ("vendor", "C")],
    }
    for activity, cells in raci.items():
        for team, role in cells:
            make_responsibility(claims, activity, teams[team], role)

    portal = make_service(portfolio, "代理店", name=JAPANESE, status="planned", owner=teams["customer"],
                          context={"audience": "external", "innovation_speed": "fast"},
                          patterns=["digital-product-vendor"])
    make_responsibility(portal, "operate", teams["platform"], "A")
    make_responsibility(portal, "operate", teams["data"], "R")
    make_responsibility(portal, "support", teams["platform"], "A")

    archive = make_service(portfolio, "archive.v1", name="Archive (retired)", status="retired",
                           owner=teams["vendor"], description="Kept read-only until 2027.")
    assign_pattern(archive, "managed-service-provider", ["operate", "support"])
    make_responsibility(archive, "operate", teams["vendor"], "A")
    make_responsibility(archive, "support", teams["data"], "I")

    make_service(portfolio, "launch", name=EMOJI, context={"cost_structure": "opex_subscription"})

    make_adoption(portfolio, "architecture-management", "adopted", 3, owner=teams["platform"])
    make_adoption(portfolio, "release-management", "adopted", 1)
    make_adoption(portfolio, "supplier-management", "planned", None, owner=teams["vendor"])
    make_adoption(portfolio, "workforce-and-talent-management", "adopted", 5, owner=teams["data"])
    # Neither adopted nor key to a pattern in use, so the report's practice lines leave these out.
    make_adoption(portfolio, "risk-management", "planned", 2, owner=teams["security"])
    make_adoption(portfolio, "continual-improvement", "not_adopted", None)
    return portfolio


def export(client, portfolio) -> bytes:
    response = client.get(reverse("report", args=[portfolio.key]), {"format": "json"})
    assert response.status_code == 200, response.content[:300]
    return response.content


def upload(client, portfolio, user, data: bytes) -> dict:
    """Upload `data` as report.json and return the preview summary of the job."""
    files = SimpleUploadedFile("report.json", data, content_type="application/json")
    response = client.post(reverse("import-upload", args=[portfolio.key]), {"files": files})
    assert response.status_code == 302, response.content[:500]
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    job = job_load(token, portfolio_id=portfolio.pk, user_id=user.pk)
    return {"token": token, **job.summary()}


def apply_upload(client, portfolio, token: str) -> None:
    response = client.post(reverse("import-apply", args=[portfolio.key, token]))
    assert response.status_code == 302
    assert "Import applied" in client.get(response["Location"]).content.decode()


def comparable(data: bytes) -> dict:
    """Return the exported JSON without the portfolio's key and revision, the fields that may differ.

    The key identifies the portfolio and the revision counts its writes. Both
    exports are made on the same day, so the dates stay in.
    """
    document = json.loads(data)
    del document["cover"]["portfolio_key"]
    del document["cover"]["revision"]
    return document


def preview_counts(summary: dict) -> dict:
    return {count["kind"]: (count["create"], count["update"], count["unchanged"], count["error"])
            for count in summary["counts"]}


def test_report_json_round_trip_is_lossless(client, rich, owner, make_portfolio):
    target = make_portfolio(key="acme-copy", name=rich.name)
    Membership.objects.create(portfolio=target, user=owner, role=Role.EDITOR)
    first = export(client, rich)

    summary = upload(client, target, owner, first)
    assert summary["file_errors"] == []
    assert summary["errors"] == []
    assert summary["notes"] == []
    assert preview_counts(summary) == {
        "teams": (7, 0, 0, 0),
        "services": (4, 0, 0, 0),
        "pattern_assignments": (5, 0, 0, 0),
        "responsibilities": (27, 0, 0, 0),
        "practices": (6, 0, 0, 0),
    }
    apply_upload(client, target, summary["token"])
    second = export(client, target)

    assert comparable(second) == comparable(first)
    assert portfolio_content(target) == portfolio_content(rich)


def test_reimport_of_round_trip_changes_nothing(client, rich, owner, make_portfolio):
    target = make_portfolio(key="acme-copy", name=rich.name)
    Membership.objects.create(portfolio=target, user=owner, role=Role.EDITOR)
    apply_upload(client, target, upload(client, target, owner, export(client, rich))["token"])

    summary = upload(client, target, owner, export(client, target))

    assert summary["errors"] == []
    assert summary["totals"]["create"] == 0
    assert summary["totals"]["update"] == 0
    assert summary["totals"]["unchanged"] == 49


def test_report_waivers_noted_not_imported(client, rich, owner, make_portfolio):
    Waiver.objects.create(portfolio=rich, code="VCP-E001", subject="service:launch",
                          justification="Pattern chosen at the next board.", approver="CIO",
                          expires_on=timezone.localdate() + timedelta(days=30), accepted_by=owner)
    target = make_portfolio(key="acme-copy", name=rich.name)
    Membership.objects.create(portfolio=target, user=owner, role=Role.EDITOR)

    summary = upload(client, target, owner, export(client, rich))

    assert summary["errors"] == []
    assert [note["message"] for note in summary["notes"]] == [
        "The report's 1 waiver is not imported; accept its finding again on the findings page if the "
        "waiver still applies."]
