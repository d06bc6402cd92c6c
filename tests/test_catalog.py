"""Metric labels of real reports (the development set and the sample) map to the catalog metric they measure."""
from __future__ import annotations

import pytest
from conftest import SAMPLE, SHARED

from fazhi.catalog import default_matcher, metric_id_for
from fazhi.predict import predict

DEV = SHARED / "corpus" / "dev"

# (label as the extractor writes it, kind, unit, the metric_id a reader would give it or None), written by hand
# from figures of corpus/dev and fazhi/sample_corpus.
CASES = [
    # courts
    ("办结", "change", "%", "court_cases_closed"),
    ("新收诉讼案件", "change", "件", "court_cases_received"),
    ("综合结案率", "rate", "%", "closure_rate"),
    ("结案率", "change", "pp", "closure_rate"),
    ("法定期限内结案率", "rate", "%", "closure_rate_in_time"),
    ("首次执行案件实结占结案比", "rate", "%", "exec_first_actual_rate"),
    ("保全率", "rate", "%", "preservation_rate"),
    ("终本合格率", "rate", "%", "exec_termination_compliance_rate"),
    ("有效公开率", "rate", "%", "process_disclosure_rate"),
    ("审结刑事一审案件", "change", "%", "criminal_cases_closed"),
    ("审结民商事一审案件", "change", "%", "civil_cases_closed"),
    ("审结行政一审案件", "change", "%", "admin_cases_closed"),
    ("新收技术类知识产权民事一审案件", "change", "%", "ip_cases_received"),
    ("新收环境资源一审案件", "change", "%", "env_cases_received"),
    ("平均办案用时", "change", "%", "avg_trial_days"),
    ("作出生效有罪判决", "change", "%", "guilty_verdicts"),
    ("执行结案平均用时", "change", "天", "exec_avg_days"),
    ("生效案件改判发回重审率", "change", "pp", "reversal_remand_rate"),
    ("节省庭审时间", "change", "%", "hearing_time"),
    # procuratorates
    ("受理审查逮捕案件", "change", "%", "arrest_review_cases"),
    ("受理审查起诉案件", "change", "%", "prosecution_review_cases"),
    ("批准和决定逮捕各类犯罪嫌疑人", "change", "%", "arrests_approved"),
    ("不捕率", "change", "pp", "non_arrest_rate"),
    ("不起诉率", "rate", "%", "non_prosecution_rate"),
    ("办结民事生效裁判监督案件", "change", "%", "civil_judgment_supervision_cases"),
    ("控诉", "change", "%", "prosecutions"),
    ("认罪认罚适用率", "change", "pp", "plea_leniency_rate"),
    # police: Hong Kong crime tables, Macau, mainland
    ("总体罪案", "change", "件", "overall_crime"),
    ("暴力罪案", "change", "%", "violent_crime"),
    ("各类劫案", "change", "件", "robbery"),
    ("金舖/表行劫案", "change", "%", "jewellery_shop_robbery"),
    ("伤人及严重殴打", "change", "件", "wounding_serious_assault"),
    ("严重毒品罪行", "change", "%", "serious_drug_offences"),
    ("扒窃(打荷包)", "change", "件", "pickpocketing"),
    ("失车", "change", "%", "vehicle_theft"),
    ("三合会相关罪案", "change", "件", "triad_crime"),
    ("少年罪犯(十至十五岁)", "change", "人", "juvenile_offenders"),
    ("开立刑事专案调查案件", "change", "宗", "cases_filed"),
    ("电话诈骗案", "change", "宗", "deception"),
    ("爆炸、杀人等八类严重暴力刑事案件", "change", "%", "serious_violent_cases"),
    ("治安案件总量", "change", "%", "public_order_cases"),
    ("到案率", "rate", "%", "fugitive_capture_rate"),
    ("核查完结(jié)率", "rate", "%", "clue_verification_rate"),
    ("一体化办案案件覆盖率", "rate", "%", "integrated_case_coverage_rate"),
    # fragments, parts of other measures and generic heads map to nothing rather than to a wrong metric
    ("满分值", "rate", "%", None),
    ("(含上期积存)", "change", "%", None),
    ("民事案件", "rate", "%", None),
    ("批准逮捕侵害未成年人权益犯罪", "change", "%", None),
    ("总体适用率", "rate", "%", None),
    ("审结相关案件", "count", "件", None),
]


def test_fifty_hand_checked_labels_map_to_the_metric_they_measure():
    assert len(CASES) == 50
    wrong = [(label, kind, unit, expected, got) for label, kind, unit, expected in CASES
             if (got := metric_id_for(label, kind, unit)) != expected]
    assert not wrong, wrong


@pytest.mark.parametrize("label, kind, unit, expected", [
    ("审结刑事一审案件", "change", "%", ("criminal_cases_closed", "head")),
    ("新收技术类知识产权民事一审案件", "change", "%", ("ip_cases_received", "head")),
    ("批准和决定逮捕各类犯罪嫌疑人", "change", "%", ("arrests_approved", "head")),
    ("受理各类案件", "count", "件", ("court_cases_received", "synonym")),  # a term as written wins over the head
    ("各类案件", "count", "件", None),  # only a generic word is left
    ("审结相关案件", "count", "件", None),  # 相关 points back to a narrower set: not a qualifier
    ("审结刑事一审案件", "rate", "%", None),  # the head rule keeps the kind rule
])
def test_a_label_maps_through_its_head_once_qualifier_tokens_are_dropped(label, kind, unit, expected):
    assert default_matcher().match(label, kind, unit) == expected


def coverage(figures: list[dict]) -> float:
    """The share of rate and change figures whose label maps to a catalog metric."""
    rated = [f for f in figures if f["kind"] in ("rate", "change")]
    return sum(metric_id_for(f["metric"], f["kind"], f["unit"]) is not None for f in rated) / len(rated)


@pytest.mark.parametrize("root", [
    pytest.param(SAMPLE, id="sample"),
    pytest.param(DEV, id="dev", marks=pytest.mark.skipif(not DEV.is_dir(), reason=f"{DEV} is absent")),
])
def test_four_in_five_rate_and_change_figures_get_a_metric_id(root):
    assert coverage(predict(root)) >= 0.80
