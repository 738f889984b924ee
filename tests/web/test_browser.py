"""End to end in headless Chromium: the night page draws its chart from the API, and fits a phone.

Uses the system's Chromium (no browser download). When it cannot start, the tests skip with the
reason, except under CI (the CI environment variable set), where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        _unavailable("chromium is not installed (make browser installs it)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                str(profile), executable_path=executable, headless=True, args=ARGS,
                viewport={"width": 1280, "height": 900},
            )
        except Exception as err:  # playwright's launch errors have no common base we can name
            _unavailable(f"chromium did not start: {str(err).splitlines()[0]}")
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.web.conftest import Server

    srv = Server(tmp_path_factory.mktemp("data"))
    try:
        yield srv
    finally:
        srv.stop()


def _external_requests(page: Any, origin: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((origin, "data:", "blob:")) else seen.append(r.url))
    return seen


def test_night_form_draws_chart(browser_context: Any, server: Any, tmp_path: Path) -> None:
    page = browser_context.new_page()
    external = _external_requests(page, server.url)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/night")
    page.get_by_label("Dose", exact=True).fill("3g")
    page.get_by_label("Bedtime (dose time)", exact=True).fill("23:00")
    page.get_by_label("Wake-up time", exact=True).fill("07:00")
    page.get_by_label("Nights", exact=True).fill("3")
    page.get_by_label("Body weight", exact=True).fill("80kg")
    page.get_by_role("button", name="Show the night").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    traces = page.evaluate("document.getElementById('chart').data.filter(t => t.yaxis !== 'y2').length")
    assert traces >= 2
    names = page.evaluate("document.getElementById('chart').data.map(t => t.name)")
    assert "mitragynine" in names
    assert page.locator("#nights-table tbody tr").count() >= 3 * traces
    assert "3 g" in page.locator("#summary").inner_text()
    shot = tmp_path / "night.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    if os.environ.get("KRATOMSIM_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(os.environ["KRATOMSIM_SCREENSHOT_DIR"]) / "night.png"))
    assert not errors
    assert not external, f"requests left the machine: {external}"
    page.close()


def test_night_population_bands(browser_context: Any, server: Any, tmp_path: Path) -> None:
    """People = 50: each alkaloid gets a shaded low-high band and a median line, with the sleep windows."""
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/night")
    assert page.get_by_label("People to simulate", exact=True).input_value() == "1"
    page.get_by_label("Nights", exact=True).fill("3")
    page.get_by_label("People to simulate", exact=True).fill("50")
    page.get_by_role("button", name="Show the night").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    page.locator("#population-table tbody tr").first.wait_for(timeout=10_000)
    traces = page.evaluate(
        "document.getElementById('chart').data.map(t => ({name: t.name, fill: t.fill || '', visible: t.visible}))")
    shown = [t["name"] for t in traces if t["fill"] == "tonexty" and t["visible"] is not False
             and t["visible"] != "legendonly"]
    assert "mitragynine 5-95% band" in shown and "7-hydroxymitragynine 5-95% band" in shown, traces
    assert "speciociliatine 5-95% band" in [t["name"] for t in traces]  # one legend click away
    assert "mitragynine" in [t["name"] for t in traces]  # the median line
    assert page.locator("#chart .fills path").count() >= 1  # the band is drawn, not only in the data
    shapes = page.evaluate("document.getElementById('chart').layout.shapes.map(s => [s.type, s.line && s.line.dash])")
    kinds = [kind for kind, _ in shapes]
    assert kinds.count("rect") == 3  # sleep windows shaded
    assert shapes.count(["line", "dash"]) == 3 and shapes.count(["line", "dot"]) == 3  # wake-ups and mornings
    assert "50 simulated people" in page.locator("#population-title").inner_text()
    assert "5-95% band" in page.locator("#status").inner_text()
    if os.environ.get("KRATOMSIM_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(os.environ["KRATOMSIM_SCREENSHOT_DIR"]) / "night-50.png"))
    assert not errors
    page.close()


def test_night_form_shows_input_error(browser_context: Any, server: Any) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}/night")
    page.get_by_label("Dose", exact=True).fill("lots")
    page.get_by_role("button", name="Show the night").click()
    alert = page.get_by_role("alert")
    alert.wait_for(state="visible", timeout=10_000)
    assert "cannot read dose 'lots'" in alert.inner_text()
    page.close()


def _csp_violations(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    return seen


def test_error_is_under_the_button_focused_and_names_the_field(browser_context: Any, server: Any) -> None:
    """A good night, then a bad dose: the old result goes, the error sits under the button with focus,
    and the dose field is marked invalid."""
    page = browser_context.new_page()
    page.goto(f"{server.url}/night")
    page.get_by_role("button", name="Show the night").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    assert page.locator("#results").is_visible()
    page.get_by_label("Dose", exact=True).fill("lots")
    page.get_by_role("button", name="Show the night").click()
    alert = page.get_by_role("alert")
    alert.wait_for(state="visible", timeout=10_000)
    button = page.get_by_role("button", name="Show the night").bounding_box()
    box = alert.bounding_box()
    assert button is not None and box is not None
    assert button["y"] + button["height"] <= box["y"] <= button["y"] + button["height"] + 120, (button, box)
    assert page.evaluate("document.activeElement.id") == "error"
    assert page.get_by_label("Dose", exact=True).get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Nights", exact=True).get_attribute("aria-invalid") is None
    assert not page.locator("#results").is_visible()
    assert page.evaluate("document.querySelectorAll('#chart .scatterlayer .trace').length") == 0
    # Mending the field and asking again clears the mark and the message.
    page.get_by_label("Dose", exact=True).fill("2g")
    page.get_by_role("button", name="Show the night").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    assert page.get_by_label("Dose", exact=True).get_attribute("aria-invalid") is None
    assert not alert.is_visible()
    page.close()


def test_an_api_limit_error_marks_its_field(browser_context: Any, server: Any) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}/night")
    page.evaluate("document.getElementById('nights').removeAttribute('max')")
    page.get_by_label("Nights", exact=True).fill("400")
    page.get_by_role("button", name="Show the night").click()
    page.get_by_role("alert").wait_for(state="visible", timeout=10_000)
    assert "nights" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Nights", exact=True).get_attribute("aria-invalid") == "true"
    page.close()


def test_chart_colours_and_no_csp_violation(browser_context: Any, server: Any) -> None:
    """The chart runs under a CSP without unsafe-inline or unsafe-eval scripts, and each alkaloid has
    the palette's colour (the same as the PNG and HTML plots)."""
    from kratomsim.report.palette import colour_for

    page = browser_context.new_page()
    violations = _csp_violations(page)
    page.goto(f"{server.url}/night")
    page.get_by_role("button", name="Show the night").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    colours = page.evaluate(
        "Object.fromEntries(document.getElementById('chart').data.map(t => [t.name, t.line.color]))")
    for name in ("mitragynine", "7-hydroxymitragynine", "speciociliatine"):
        assert colours[name].lower() == colour_for(name).lower()
    assert not violations, violations
    page.close()


def test_keyboard_only(browser_context: Any, server: Any) -> None:
    """Tab to the submit button and press Enter: the chart appears with no mouse."""
    page = browser_context.new_page()
    page.goto(f"{server.url}/night")
    page.locator("#weight").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    assert page.evaluate("document.activeElement.textContent") == "Show the night"
    page.keyboard.press("Enter")
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    page.close()


def test_phone_width(browser_context: Any, server: Any, tmp_path: Path) -> None:
    page = browser_context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/night")
    page.get_by_role("button", name="Show the night").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    page.wait_for_timeout(300)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"page scrolls sideways at 390 px ({scroll_width} px wide)"
    chart_width = page.evaluate("document.getElementById('chart').getBoundingClientRect().width")
    assert 300 <= chart_width <= 390
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 14
    page.screenshot(path=str(tmp_path / "night-phone.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("path", ["/", "/compare", "/receptors", "/interactions", "/audit"])
def test_every_input_has_a_label(browser_context: Any, server: Any, path: str) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}{path}")
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input, select, textarea')]
             .filter(i => i.type !== 'hidden' && (!i.labels || i.labels.length === 0)).map(i => i.id || i.name)"""
    )
    assert unlabelled == []
    page.close()


def test_compare_page_draws_chart(browser_context: Any, server: Any) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}/compare")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    assert page.locator("#table tbody tr").count() >= 2
    page.close()


def test_receptors_and_interactions_pages(browser_context: Any, server: Any) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}/receptors")
    page.get_by_role("button", name="Show occupancy").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    assert page.locator("#table tbody tr").count() == 1
    page.goto(f"{server.url}/interactions")
    page.get_by_role("button", name="Predict").click()
    page.locator("#table tbody tr").first.wait_for(timeout=30_000)
    assert "AUC ratio" in page.locator("#table").inner_text()
    page.close()


@pytest.mark.slow
def test_audit_page(browser_context: Any, server: Any) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}/audit")
    page.get_by_role("button", name="Audit").click()
    page.locator("#table tbody tr").first.wait_for(timeout=120_000)
    assert page.locator("#table tbody tr").count() >= 1
    card = page.locator("#claims li.claim").first
    assert card.locator(".rationale").inner_text().startswith("Why: ")
    assert len(card.locator(".rationale").inner_text()) > 20
    assert card.locator(".claim-sources li").count() >= 1
    page.close()


def test_saved_scenario_restores_every_field(browser_context: Any, server: Any) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}/night")
    chosen = {"Dose": "3g", "Nights": "2", "Wake-up time": "07:15", "Morning time to read levels at": "10:30",
              "Random seed": "7", "Interval level": "0.8", "People to simulate": "3", "Body weight": "80kg",
              "Other medicines at bedtime (optional)": "zolpidem:10mg", "Bedtime (dose time)": "23:10"}
    page.locator("#product option[value='FOWBLE_LOW']").wait_for(state="attached", timeout=10_000)
    # Every field of the form is covered: one more field without a value here fails the test.
    labels = page.evaluate("[...document.querySelectorAll('#night-form [name]')].map("
                           "e => document.querySelector(`label[for='${e.id}']`).textContent.trim())")
    assert set(labels) == {*chosen, "Product"}, labels
    page.get_by_label("Product", exact=True).select_option("FOWBLE_LOW")
    for label, value in chosen.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Name", exact=True).fill("all fields")
    page.get_by_role("button", name="Save the form").click()
    page.get_by_role("button", name="Open all fields").wait_for(timeout=10_000)
    page.reload()
    page.get_by_role("button", name="Open all fields").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=60_000)
    for label, value in {**chosen, "Product": "FOWBLE_LOW"}.items():
        assert page.get_by_label(label, exact=True).input_value() == value, label
    page.get_by_role("button", name="Delete all fields").click()
    page.close()


def test_save_and_reopen_scenario(browser_context: Any, server: Any) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.url}/night")
    page.get_by_label("Dose", exact=True).fill("5g")
    page.get_by_label("Name", exact=True).fill("five grams")
    page.get_by_role("button", name="Save the form").click()
    page.get_by_role("button", name="Open five grams").wait_for(timeout=10_000)
    page.reload()
    page.get_by_role("button", name="Open five grams").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    assert page.get_by_label("Dose", exact=True).input_value() == "5g"
    page.get_by_role("button", name="Delete five grams").click()
    page.get_by_text("None yet.").wait_for(timeout=10_000)
    page.close()


def test_night_chart_markers_thresholds_and_nm_axis(browser_context: Any, server: Any) -> None:
    """Issue 15 item 6 on the page: morning lines, a medicine's published next-morning level, an nM axis
    on the same scale as ng/mL, and the legend clear of the plotting area and its axes."""
    from kratomsim.library import molecular_weight

    page = browser_context.new_page()
    page.goto(f"{server.url}/night")
    page.get_by_label("Nights", exact=True).fill("2")
    page.get_by_label("Other medicines at bedtime (optional)", exact=True).fill("zolpidem:10mg")
    page.get_by_role("button", name="Show the night").click()
    page.wait_for_selector("#chart.js-plotly-plot .scatterlayer .trace", timeout=30_000)
    got = page.evaluate("""() => {
      const c = document.getElementById('chart');
      const box = (sel) => { const e = c.querySelector(sel); return e && e.getBoundingClientRect().toJSON(); };
      const boxes = (sel) => [...c.querySelectorAll(sel)].map(e => e.getBoundingClientRect().toJSON());
      return { shapes: c.layout.shapes.map(s => [s.type, s.line && s.line.dash]),
               threshold: c.data.filter(t => String(t.name).includes('next-morning level')).map(
                 t => [t.y[0], t.line.dash]),
               ranges: [c.layout.yaxis.range, c.layout.yaxis2 && c.layout.yaxis2.range],
               legend: box('.legend'), plot: box('.draglayer .xy .nsewdrag'),
               x: boxes('.xtick text, .g-xtitle text'), y2: boxes('.y2tick text, .g-y2title text') };
    }""")
    assert got["shapes"].count(["line", "dot"]) == 2  # one morning line per night
    assert got["shapes"].count(["line", "dash"]) == 2  # one wake-up line per night
    assert got["threshold"] == [[50, "dashdot"]]
    (lo1, hi1), (lo2, hi2) = got["ranges"]
    assert lo1 == lo2 == 0 and abs(hi2 / hi1 - 1000 / molecular_weight("mitragynine")) < 1e-9
    legend, plot = got["legend"], got["plot"]

    def apart(a: dict[str, float], b: dict[str, float]) -> bool:
        return a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]

    assert apart(legend, plot)  # the legend is off the data
    assert got["y2"] and got["x"] and all(apart(legend, t) for t in got["y2"] + got["x"])  # and off the axes
    page.close()
