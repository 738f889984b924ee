"""Sign agreement, leave one study out (kratomsim.sleep_signs): checked against hand tallies built
from the data file and the threshold rule, not against stored results."""

import pytest

from kratomsim.datafiles import load_data_file
from kratomsim.sleep_architecture import Threshold, predict_direction, psg_arms, thresholds
from kratomsim.sleep_signs import (
    FULL_STIMULUS,
    LIMIT,
    STATISTIC,
    StudySigns,
    sign_checks,
    sign_rows,
    sign_summary,
    study_tallies,
)


def test_every_acute_arm_outcome_is_checked_once_and_no_chronic_one():
    studies = load_data_file("opioid_psg.yaml")["studies"]
    expected = sum(len(arm["outcomes"]) for st in studies.values() if not st["chronic"] for arm in st["arms"])
    checks = sign_checks()
    assert len(checks) == expected
    assert not {c.study for c in checks} & {k for k, st in studies.items() if st["chronic"]}


def test_reported_sign_is_the_data_file_direction():
    studies = load_data_file("opioid_psg.yaml")["studies"]
    for c in sign_checks():
        assert any(arm["drug"] == c.drug and arm["outcomes"][c.outcome]["direction"] == c.reported
                   for arm in studies[c.study]["arms"] if c.outcome in arm["outcomes"])


def test_held_out_study_never_shapes_its_own_prediction():
    """Removing a study's own arms from the threshold set is what the prediction uses."""
    for c in sign_checks():
        th = thresholds(exclude=c.study).get(c.outcome)
        assert c.study not in (th.studies if th else ())
        assert c.predicted == (None if th is None else predict_direction(c.stimulus_percent, th)[0])


def test_uncomputed_arms_sit_at_full_stimulus_and_morphine_bedtime_arms_at_their_own():
    computed = {(a.study, a.drug, a.stimulus_percent) for a in psg_arms() if a.stimulus_percent is not None}
    for c in sign_checks():
        if (c.study, c.drug, c.stimulus_percent) in computed:
            assert c.stimulus_basis.startswith("computed")
        else:
            assert c.stimulus_percent == FULL_STIMULUS and c.stimulus_basis.startswith("taken as full")


def test_tallies_add_up_by_hand():
    checks = sign_checks()
    for t in study_tallies():
        own = [c for c in checks if c.study == t.study]
        done = [c for c in own if c.predicted is not None]
        assert (t.compared, t.not_predicted) == (len(done), len(own) - len(done))
        assert t.agreed == len([c for c in done if c.predicted == c.reported])
    s = sign_summary()
    assert s["compared"] + s["not_predicted"] == len(checks)
    assert sum(v["compared"] for v in s["by_outcome"].values()) == s["compared"]
    assert sum(v["agreed"] for v in s["by_outcome"].values()) == s["agreed"]


@pytest.mark.parametrize(("compared", "agreed", "fold"), [(0, 0, 1.0), (4, 4, 1.0), (3, 1, 2.0), (1, 0, 2.0)])
def test_fold_error_is_the_smoothed_ratio(compared, agreed, fold):
    assert StudySigns("x", compared, agreed, 0, "x").fold_error == pytest.approx(fold)


def test_predict_direction_flips_to_none_between_thresholds():
    """The rule the check relies on: a stimulus between the null and the effect threshold is not predicted."""
    th = Threshold("sws", -1, 95.0, 92.0, ("a", "b"))
    assert predict_direction(96.0, th)[0] == -1
    assert predict_direction(91.0, th)[0] == 0
    assert predict_direction(93.0, th)[0] is None


def test_rows_are_independent_reach_validate_and_skip_empty_studies():
    from kratomsim.validation import validation_rows

    rows = sign_rows()
    assert {r["study"] for r in rows} == {t.study for t in study_tallies() if t.compared > 0}
    assert all(r["kind"] == "independent" and r["statistic"] == STATISTIC and r["limit"] == LIMIT for r in rows)
    vrows = [r for r in validation_rows() if r.statistic == STATISTIC]
    assert len(vrows) == len(rows) and all(r.kind == "independent" for r in vrows)


def test_night_json_carries_the_sign_check():
    from datetime import time

    from kratomsim.night_report import make_timeline, nightly_exposure
    from kratomsim.sleep_prediction import predicted_changes

    night = nightly_exposure("K51", "2g", make_timeline("22:30", "06:30", 2, "09:00", "2026-01-05"))
    card = predicted_changes(night, time(6, 30), draws=50)["sws_size_model"]
    assert card["sign_loso"]["compared"] == sign_summary()["compared"]
