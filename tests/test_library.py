"""The library: products (library and user files), compounds, fitted parameters."""

import pytest

from kratomsim.errors import InputError
from kratomsim.library import check_compound, kratom_dispositions, load_product, molecular_weight


def test_k51_matches_the_tanna_doses():
    """2 g of K51 holds the alkaloid doses Tanna 2023 Table 3 lists for the 2 g tea, within 5 %."""
    k51 = load_product("k51")
    table3_mg = {"mitragynine": 39, "speciogynine": 6.4, "paynantheine": 12, "speciociliatine": 10,
                 "mitraciliatine": 1.3, "isopaynantheine": 1.0}
    for alkaloid, mg in table3_mg.items():
        assert 2 * k51.alkaloids_mg_per_g[alkaloid] == pytest.approx(mg, rel=0.05)
    assert "7-hydroxymitragynine" in k51.below_loq


def test_molecular_weight_by_hand():
    # C23H30N2O4 with C 12.011, H 1.008, N 14.007, O 15.999
    assert molecular_weight("MG") == pytest.approx(23 * 12.011 + 30 * 1.008 + 2 * 14.007 + 4 * 15.999, abs=1e-3)


def test_user_product(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: My capsules\nform: powder\nalkaloids_mg_per_g:\n  mitragynine: 13.3\n"
                    "  7-hydroxymitragynine: 0.1\n")
    product = load_product(str(path))
    assert product.alkaloids_mg_per_g == {"mitragynine": 13.3, "7-hydroxymitragynine": 0.1}
    assert product.user_file


@pytest.mark.parametrize(("content", "expected"), [
    ("name: x\nform: [powder\n", "line"),
    ("name: x\nform: pill\nalkaloids_mg_per_g: {mitragynine: 1}\n", "form"),
    ("name: x\nform: tea\nalkaloids_mg_per_g: {unobtainium: 1}\n", "unknown compound"),
    ("name: x\nform: tea\nalkaloids_mg_per_g: {mitragynine: -1}\n", "outside"),
    ("- just a list\n", "mapping"),
])
def test_bad_user_products(tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(InputError) as err:
        load_product(str(path))
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_product_lists_known():
    with pytest.raises(InputError, match=r"known products: .*K51"):
        load_product("nope")


def test_unknown_compound_lists_known():
    with pytest.raises(InputError, match=r"known compounds: .*mitragynine"):
        check_compound("nope")


def test_every_assayed_alkaloid_has_a_model():
    dispositions, formations = kratom_dispositions()
    assert set(load_product("K51").alkaloids_mg_per_g) <= set(dispositions)
    assert formations[0].parent == "mitragynine" and formations[0].metabolite == "7-hydroxymitragynine"
