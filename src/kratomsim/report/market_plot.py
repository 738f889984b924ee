"""The market-spread plot: mitragynine per leaf product against the published survey ranges."""

from __future__ import annotations

from pathlib import Path

from kratomsim.errors import InputError
from kratomsim.market import market_spread
from kratomsim.report.plots import check_plot_path


def plot_market(path: Path) -> Path:
    """Strip plot of mitragynine mg/g per leaf product (log axis), median and 5-95th band, survey ranges."""
    check_plot_path(path)
    if path.suffix.lower() != ".png":
        raise InputError(f"cannot plot the market spread to {path.name!r}: accepted file type is .png")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spread = market_spread()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.axvspan(spread.p5, spread.p95, color="#4C72B0", alpha=0.15, label="5th-95th percentile")
    ax.axvline(spread.median, color="#4C72B0", label=f"median {spread.median:.1f} mg/g")
    tabulated = [v for pid, v in spread.values if pid not in spread.extremes]
    extreme = [v for pid, v in spread.values if pid in spread.extremes]
    ax.scatter(tabulated, [0] * len(tabulated), color="black", zorder=3, label="assayed leaf product")
    ax.scatter(extreme, [0] * len(extreme), facecolors="white", edgecolors="black", zorder=3,
               label="a survey's lowest/highest product")
    for i, s in enumerate(spread.surveys, start=1):
        ax.plot([s.low, s.high], [i, i], color="grey", lw=3)
        ax.text(s.high * 1.05, i, f"{s.source} (n={s.n_products})", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xticks([2, 5, 10, 20, 50, 100], ["2", "5", "10", "20", "50", "100"])
    ax.minorticks_off()
    ax.set_yticks([0, *range(1, len(spread.surveys) + 1)], ["products", *["survey range"] * len(spread.surveys)])
    ax.set_xlabel("mitragynine (mg per g of leaf)")
    ax.set_title("Mitragynine across kratom leaf products")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
