"""Victims are read from the typed medicines library and completed by cyp_inhibition.yaml."""

from __future__ import annotations

from kratomsim import interactions as ix


def test_victims_come_from_the_typed_medicine() -> None:
    from kratomsim.medicines import derivation, load_medicine, medicine_names

    zolpidem, med = ix.get_victim("zolpidem"), load_medicine("zolpidem")
    assert zolpidem.fm == {e: f.value for e, f in med.enzyme_fractions.items()}
    d = derivation("zolpidem")
    assert zolpidem.pk == ix.VictimPk(d.ka, d.cl, d.v1, med.base_fraction)
    assert zolpidem.typical_dose_mg == med.default_dose_mg == 5.0
    # The fixed defect: a half-life cited by two sources is read (its default, 7.3 h), not skipped.
    assert ix.get_victim("trazodone").half_life_h == 7.3
    # No PK model in the library: the half-life is the cited one, and no next-morning estimate.
    assert ix.get_victim("codeine").half_life_h == 3.3 and ix.get_victim("codeine").pk is None
    # Only in cyp_inhibition.yaml: dextromethorphan, from its paroxetine AUCR.
    assert ix.get_victim("dextromethorphan").fm == {"CYP2D6": 0.93}
    without = {n for n in medicine_names() if not load_medicine(n).enzyme_fractions} - {"midazolam"}
    assert set(ix.medicines_without_pathway()) == without
