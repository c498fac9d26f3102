"""A real browser on the workbench: Playwright (pip) driving Debian's chromium, headless.

The set-up installs chromium with apt when it is missing and this runs as root; the test
skips with the reason only when that is impossible (no apt, not root, no network).
"""

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

pytest.importorskip("fastapi")
playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"


def ensure_chromium() -> str | None:
    """The reason chromium cannot be had, or None when it is there."""
    if os.path.exists(CHROMIUM):
        return None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return "chromium is missing and apt-get (as root) is not available to install it"
    got = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True,
                         text=True, timeout=900)
    if got.returncode != 0 or not os.path.exists(CHROMIUM):
        return f"apt-get install chromium failed: {got.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="module")
def server(toy_model_dir, tmp_path_factory):
    import uvicorn

    from redoxscreen.web import create_app

    runs = tmp_path_factory.mktemp("runs")
    shutil.copytree(toy_model_dir, runs / "toy" / "model")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(runs), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_predict_and_screen_in_a_browser(server, toy_df, tmp_path):
    why = ensure_chromium()
    if why:
        pytest.skip(why)
    smiles = toy_df["smiles"].iloc[0]
    lib = tmp_path / "lib.csv"
    lib.write_text("\n".join(["smiles", *toy_df["smiles"].head(25)]) + "\n")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{server}/predict")
        page.fill("textarea[name=smiles]", smiles)
        page.click("#predict")
        page.wait_for_selector("#results")
        row = page.locator("#results tr").nth(1)
        assert smiles in row.inner_text()
        assert row.locator("svg").count() == 1  # the structure is drawn
        page.screenshot(path=str(tmp_path / "predict.png"), full_page=True)
        page.goto(server)
        page.set_input_files("input[name=library]", str(lib))
        page.click("#screen-form button")
        page.wait_for_url("**/screens/*")
        page.wait_for_selector("[data-state=done]", timeout=120_000)
        assert "top cathodes" in page.content()
        page.screenshot(path=str(tmp_path / "screen.png"), full_page=True)
        page.click("#results-link")
        page.wait_for_selector("#rows")
        page.select_option("select[name=role]", "cathode")
        page.select_option("select[name=sort]", "e_ox_v_li")
        page.check("input[name=desc]")
        page.click("#filter button")
        page.wait_for_url("**sort=e_ox_v_li**")
        assert "25 rows match" in page.inner_text("#count")
        assert page.locator(".grid svg").count() == 12
        assert page.locator("img.hist").evaluate("i => i.naturalWidth") > 0  # drawn
        page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
        browser.close()
    for name in ("predict", "screen", "results"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5000
        if os.environ.get("REDOXSCREEN_SCREENSHOTS"):  # how the README's pictures are made
            shutil.copy(tmp_path / f"{name}.png", os.environ["REDOXSCREEN_SCREENSHOTS"])
