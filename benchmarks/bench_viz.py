"""Time one day of the browser page: the model step and the redraw, in-process and in a browser.

Usage::

    python benchmarks/bench_viz.py                       # 2,000 users, 20 days
    python benchmarks/bench_viz.py --users 2000 5000 --days 20 --browser

In-process, per day (median over ``--days`` days after 3 warm-up days): the model step, the
network drawing encoded as PNG (as the page does), and Mesa's three line plots encoded as PNG.
With ``--browser`` (needs ``/usr/bin/chromium`` and the test extra) it also serves the page
with ``python -m diffusion.viz``, clicks Step in headless Chromium and times the click until
the page shows the new day (server step + redraw + transfer), default 2,000 users only.
Nothing is written.
"""

from __future__ import annotations

import argparse
import io
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from matplotlib.figure import Figure

from diffusion.viz.app import network_png
from diffusion.viz.layout import network_layout
from diffusion.viz.model import VizModel

PLOTS = (("campaign_reach_share", "campaign_purchase_share"), ("purchases",), ("creator_views_gini",))


def plots_png(model: VizModel) -> None:
    """Draw and encode the three line plots the way Mesa's PlotMatplotlib does."""
    frame = model.datacollector.get_model_vars_dataframe()
    for columns in PLOTS:
        fig = Figure()
        ax = fig.subplots()
        for column in columns:
            ax.plot(frame.loc[:, column], label=column)
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")


def in_process(n_users: int, n_days: int) -> dict[str, float]:
    started = time.perf_counter()
    model = VizModel(n_users=n_users)
    build = time.perf_counter() - started
    started = time.perf_counter()
    network_layout(model.society, seed=model.root_seed)
    layout = time.perf_counter() - started
    step, draw, plots = [], [], []
    for day in range(n_days + 3):
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        network_png(model)
        t2 = time.perf_counter()
        plots_png(model)
        t3 = time.perf_counter()
        if day >= 3:
            step.append(t1 - t0)
            draw.append(t2 - t1)
            plots.append(t3 - t2)
    median = statistics.median
    return {"users": n_users, "build_s": build, "layout_s": layout, "step_s": median(step),
            "network_png_s": median(draw), "plots_png_s": median(plots),
            "total_s": median(step) + median(draw) + median(plots)}


def in_browser(n_days: int) -> float:
    """Median seconds from clicking Step to the page showing the new day (2,000 users)."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [sys.executable, "-m", "diffusion.viz", "--port", str(port), "--host", "127.0.0.1"],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            for _ in range(240):
                try:
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.25)
            args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run"]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
                page = browser.new_page(viewport={"width": 1600, "height": 1100})
                page.goto(url)
                page.wait_for_selector(".campaign-counts", timeout=60_000)
                times = []
                for day in range(1, n_days + 1):
                    started = time.perf_counter()
                    page.get_by_role("button", name="Step", exact=True).click()
                    page.wait_for_function(
                        "d => document.querySelector('.campaign-counts').innerText.startsWith('day ' + d + ' ')",
                        arg=day, timeout=60_000,
                    )
                    times.append(time.perf_counter() - started)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return statistics.median(times[3:] if len(times) > 3 else times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[2000])
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also time Step in headless Chromium")
    args = parser.parse_args()
    for n_users in args.users:
        row = in_process(n_users, args.days)
        print(", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()))
    if args.browser:
        print(f"browser: click Step -> new day shown, median {in_browser(args.days):.3f} s (2,000 users)")


if __name__ == "__main__":
    main()
