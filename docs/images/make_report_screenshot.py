"""Make docs/images/report.png: a screenshot of ``lstmkit report`` in headless Chromium.

Builds two small runs with the real ``lstmkit`` command in a temporary folder (the echo
example, 5 epochs; the airline forecast over seeds 0 and 1, 20 epochs), writes their
reports, and photographs the airline report from its learning curves down: the
verdict, the skill against the baselines with the forecast, the repeated runs. Needs
Debian's chromium and chromium-driver, and selenium. Run from the repository root:

    .venv/bin/python docs/images/make_report_screenshot.py

The PNG is reduced to a 256-colour palette to stay small (about 100 KB).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "docs" / "images" / "report.png"
WIDTH, HEIGHT = 1100, 2200  # CSS pixels of the part photographed
BROWSER_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def lstmkit(*args: object, cwd: Path) -> None:
    """Run the real ``lstmkit`` command on one torch thread; stop on failure."""
    command = [sys.executable, "-m", "lstmkit.cli", *map(str, args)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def build_runs(folder: Path) -> dict[str, Path]:
    """The echo and airline runs, each with its report.html; returns their folders."""
    import numpy as np

    from lstmkit.problems import echo

    shutil.copy(ROOT / "examples" / "echo.toml", folder)
    shutil.copy(ROOT / "examples" / "airline_forecast.toml", folder)
    for name, count, seed in (("echo_train", 600, 1), ("echo_test", 100, 1001)):
        X, y = echo.make(count, random_state=seed)
        np.savez(folder / f"{name}.npz", X=X, y=y)
    runs = {"echo": folder / "echo-run", "airline": folder / "airline-run"}
    lstmkit("train", "echo.toml", "--epochs", 5, "--run-dir", runs["echo"], cwd=folder)
    lstmkit(
        "forecast",
        "airline_forecast.toml",
        "--seeds",
        "0,1",
        "--epochs",
        20,
        "--run-dir",
        runs["airline"],
        "--quiet",
        cwd=folder,
    )
    for run in runs.values():
        lstmkit("report", run, cwd=folder)
    return runs


def screenshot(page: Path, target: Path, profile: Path) -> None:
    """Photograph ``page`` from its learning curves down, WIDTH x HEIGHT CSS pixels."""
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.as_uri())
        driver.execute_script("document.getElementById('learning-curves').scrollIntoView()")
        driver.save_screenshot(str(target))
    finally:
        driver.quit()


def shrink(path: Path) -> None:
    """Reduce the PNG to a 256-colour palette: text and plots keep their look."""
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        runs = build_runs(Path(folder))
        shot = Path(folder) / "report.png"
        screenshot(runs["airline"] / "report.html", shot, Path(folder) / "profile")
        shrink(shot)
        shutil.copyfile(shot, TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
