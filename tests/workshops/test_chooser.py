import pytest

from portfolio.workshops.chooser import choose_patterns

# The internal IT columns of the library's decision factor table, as option keys.
COLUMNS = {
    "internal-product-vendor": {
        "engineering_capability": "strong", "vendor_dependency": "low", "governance_complexity": "medium",
        "innovation_speed": "fast", "cost_structure": "capex_opex", "risk_profile": "build",
        "audience": "internal",
    },
    "internal-service-delivery": {
        "engineering_capability": "limited", "vendor_dependency": "medium", "governance_complexity": "medium",
        "innovation_speed": "vendor_paced", "cost_structure": "opex_subscription", "risk_profile": "vendor",
        "audience": "internal",
    },
    "service-integrator": {
        "engineering_capability": "minimal", "vendor_dependency": "high", "governance_complexity": "high",
        "innovation_speed": "vendor_paced", "cost_structure": "opex_managed", "risk_profile": "integration",
        "audience": "internal",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("pattern_key", list(COLUMNS))
def test_matching_answers_rank_pattern_first(pattern_key):
    result = choose_patterns(COLUMNS[pattern_key])
    assert result.ranking[0].pattern.key == pattern_key
    assert result.ranking[0].score > result.ranking[1].score
    assert result.ranking[0].contradicts == ()


@pytest.mark.django_db
def test_contradicting_answers_are_explained():
    answers = COLUMNS["internal-product-vendor"] | {"engineering_capability": "minimal",
                                                    "audience": "external"}
    ipv = next(s for s in choose_patterns(answers).ranking if s.pattern.key == "internal-product-vendor")
    contradicted = {(effect.factor, effect.answer, effect.expected) for effect in ipv.contradicts}
    assert ("Engineering capability", "Minimal", "Strong") in contradicted
    assert ("Audience", "External customers", "Our own organisation") in contradicted


@pytest.mark.django_db
def test_external_audience_ranks_commercial_patterns_first():
    result = choose_patterns({"audience": "external"})
    assert result.ranking[0].pattern.category == "commercial_provider"


@pytest.mark.django_db
def test_unknown_answers_are_ignored():
    result = choose_patterns({"audience": "martians", "no_such_factor": "x"})
    assert {scored.score for scored in result.ranking} == {0}
    assert result.mix is None


@pytest.mark.django_db
def test_close_scores_suggest_mix():
    # Strong engineering but a vendor's product: internal product vendor and
    # internal service delivery end within the margin.
    answers = {"engineering_capability": "strong", "vendor_dependency": "medium",
               "innovation_speed": "vendor_paced", "cost_structure": "opex_subscription",
               "risk_profile": "build", "audience": "internal"}
    result = choose_patterns(answers)
    top = {result.ranking[0].pattern.key, result.ranking[1].pattern.key}
    assert top == {"internal-product-vendor", "internal-service-delivery"}
    assert result.mix is not None
    governed = set(result.mix.leader_activities) | set(result.mix.runner_up_activities)
    assert not set(result.mix.leader_activities) & set(result.mix.runner_up_activities)
    assert "operate" in governed


@pytest.mark.django_db
def test_clear_winner_suggests_no_mix():
    assert choose_patterns(COLUMNS["service-integrator"]).mix is None


def test_chooser_page_ranks_patterns(client, workshop, viewer, portfolio):
    from django.urls import reverse
    client.force_login(viewer)
    url = reverse("workshops:chooser", args=[portfolio.key, workshop.pk, 1])
    response = client.get(url, COLUMNS["service-integrator"])
    assert response.status_code == 200
    assert response.context["result"].ranking[0].pattern.key == "service-integrator"
    assert "Contradicted by:" in response.text
