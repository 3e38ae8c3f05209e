"""The explorer in headless Chromium against a real `trust-ledger dev`: the trust hierarchy with
effective status, an entity's history, the status-list picture decoded in the browser, and the issuer
and verifier demos with the reference wallet answering.

Needs Debian's `chromium` and `chromium-driver` (`make browser` installs them). Selenium drives the
system chromedriver by its path, so Selenium Manager never runs and nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from anvil.devchain import free_port, port_open
from api.wallet import Wallet
from resolver.status_codec import decode
from tests.support.cli_process import CLI, own_world
from tests.support.waiting import wait_until
from trust_ledger.cli.devseed import DEMO_ISSUER_DID

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

ORG = "did:example:explorer-org"
UNIT = "did:example:explorer-unit"
TARGET = "did:example:explorer-target"
SUSPENDED_TINT = "rgba(255, 243, 224, 1)"  # --suspended-bg behind an effectively suspended row
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
TX_HASH = re.compile(r"^0x[0-9a-f]{64}$")


@dataclass
class Dev:
    base: str
    var: Path
    env: dict[str, str]
    log: Path

    def cli(self, *args: str, signer: str | None = None) -> str:
        env = {**self.env, "TRUST_LEDGER_PRIVATE_KEY": signer} if signer else self.env
        done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def issuer_headers(self) -> dict[str, str]:
        config = json.loads((self.var / "dev-issuer" / "issuer.json").read_text())
        return {"Access-Token": config["access_tokens"][0]}

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """`trust-ledger dev` on free ports with its own var directory, plus a suspended organisation
    (accredited, with a role) and its active child, registered with the CLI."""
    var = tmp_path_factory.mktemp("dev")
    env = own_world(var)
    http_port, chain_port = free_port(), free_port()
    log = var / "dev.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*CLI, "dev", "--port", str(http_port), "--chain-port", str(chain_port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    running = Dev(f"http://127.0.0.1:{http_port}", var, env, log)
    try:
        wait_until(lambda: port_open(http_port) or process.poll() is not None, 120, what="dev to serve")
        assert process.poll() is None, running.tail()
        register = ("entity", "register", "--parent")
        running.cli(*register, "root", "--label", "explorer-org", "--did", ORG, "--controller", "dev5")
        running.cli(
            "entity", "accredit", ORG, "--type", "EmployeeCredential", "--role", f"{TARGET}=Role.Audit"
        )
        running.cli(*register, ORG, "--label", "unit", "--did", UNIT, "--controller", "dev6", signer="dev5")
        running.cli("entity", "suspend", ORG)
        unit_url = f"{running.base}/1.0/entities/{UNIT}"
        wait_until(
            lambda: httpx.get(unit_url).json().get("effectiveStatus", {}).get("status") == "suspended",
            60,
            what="the views to show the child effectively suspended",
        )
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Debian Chromium through the system chromedriver (no Selenium Manager, no download)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("the browser test needs Debian chromium and chromium-driver: run `make browser`")
    profile = tmp_path_factory.mktemp("chromium")
    saved = {name: os.environ.get(name) for name in ("SE_OFFLINE", "SE_AVOID_STATS")}
    os.environ.update(SE_OFFLINE="true", SE_AVOID_STATS="true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in CI containers
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1600",
        f"--user-data-dir={profile / 'profile'}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(profile / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], what: str, timeout: float = 60) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition, message=f"waiting for {what}")


def element(driver: WebDriver, css: str, what: str, timeout: float = 60) -> WebElement:
    return wait_for(driver, lambda d: (d.find_elements(By.CSS_SELECTOR, css) or [None])[0], what, timeout)


def open_page(driver: WebDriver, url: str) -> None:
    """A fresh load (not a same-document hash change)."""
    driver.get("about:blank")
    driver.get(url)


def test_tree_colours_effective_status_and_the_entity_page_shows_history(
    dev: Dev, browser: WebDriver
) -> None:
    open_page(browser, f"{dev.base}/explorer")
    assert browser.current_url == f"{dev.base}/explorer/", "the bare prefix redirects to the page"
    org = element(browser, f'#tree li[data-did="{ORG}"]', "the organisation in the tree")
    assert org.get_attribute("data-status") == "suspended"
    assert org.get_attribute("data-effective-status") == "suspended"
    org_row = org.find_element(By.CSS_SELECTOR, ":scope > details > summary > .row")
    assert org_row.value_of_css_property("background-color") == SUSPENDED_TINT
    assert org_row.find_element(By.CSS_SELECTOR, ".own-status").text == "suspended"

    unit = org.find_element(By.CSS_SELECTOR, f'li[data-did="{UNIT}"]')  # nested under its parent
    assert unit.get_attribute("data-status") == "active"
    assert unit.get_attribute("data-effective-status") == "suspended"
    assert unit.get_attribute("data-because-of") == ORG
    assert f"because of {ORG}" in unit.text
    assert "effectively suspended" in unit.text
    unit_row = unit.find_element(By.CSS_SELECTOR, ".row")
    assert unit_row.value_of_css_property("background-color") == SUSPENDED_TINT

    issuer = browser.find_element(By.CSS_SELECTOR, f'#tree li[data-did="{DEMO_ISSUER_DID}"]')
    assert issuer.get_attribute("data-effective-status") == "active"
    assert issuer.find_element(By.CSS_SELECTOR, ".dot").value_of_css_property("background-color") == (
        "rgba(46, 125, 50, 1)"
    )

    org_row.find_element(By.CSS_SELECTOR, "a.entity-link").click()
    element(browser, f'#entity[data-did="{ORG}"]', "the organisation's page")
    assert browser.find_element(By.ID, "effective-status").get_attribute("data-status") == "suspended"
    accreditation = browser.find_element(By.CSS_SELECTOR, 'tr.accreditation[data-type="EmployeeCredential"]')
    assert f"{TARGET} → Role.Audit" in accreditation.text
    assert f'"id": "{ORG}"' in browser.find_element(By.ID, "did-document-json").text

    history = httpx.get(f"{dev.base}/1.0/entities/{ORG}").json()["history"]
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.history-row")
    shown = [
        (
            row.find_element(By.CSS_SELECTOR, ".event").text,
            row.find_element(By.CSS_SELECTOR, ".block-number").text,
            row.find_element(By.CSS_SELECTOR, ".tx-hash").text,
            row.find_element(By.CSS_SELECTOR, ".block-time").text,
        )
        for row in rows
    ]
    assert shown == [(h["event"], str(h["blockNumber"]), h["txHash"], h["blockTime"]) for h in history]
    assert [event for event, *_ in shown] == ["Registered", "Accredited", "StatusChanged"]
    for _, block, tx_hash, block_time in shown:
        assert int(block) > 0 and TX_HASH.match(tx_hash) and ISO_TIME.match(block_time), (block, tx_hash)

    child = element(browser, f'#children li[data-did="{UNIT}"]', "the child in the Children section")
    child.find_element(By.CSS_SELECTOR, "a.entity-link").click()
    element(browser, f'#entity[data-did="{UNIT}"]', "the child's page")
    effective = browser.find_element(By.ID, "effective-status")
    assert effective.get_attribute("data-status") == "suspended"
    assert effective.get_attribute("data-because-of") == ORG


def present_in_page(browser: WebDriver, dev: Dev, wallet: Wallet) -> tuple[WebElement, Any]:
    """Open a presentation request with the verifier demo, answer it with `wallet`, and wait for the
    page to show the verifier's result."""
    open_page(browser, f"{dev.base}/explorer/#/demo")
    element(browser, "#verifier-request", "the verifier demo").click()
    auth_uri = element(browser, "#verifier-authuri", "the request's authUri").text
    assert auth_uri.startswith("openid4vp://")
    assert browser.find_element(By.ID, "verifier-qr").get_attribute("src").startswith("data:image/png")
    assert browser.find_element(By.ID, "verifier-state").get_attribute("data-state") == "pending"
    outcome = wallet.present(auth_uri, resolver_url=dev.base)
    result = element(browser, "#verifier-result", "the page to show the verifier's result")
    assert browser.find_element(By.ID, "verifier-state").get_attribute("data-state") == "done"
    return result, outcome


def set_indices(bitstring: bytes) -> list[int]:
    return [
        index * 8 + bit
        for index, byte in enumerate(bitstring)
        if byte
        for bit in range(8)
        if byte >> (7 - bit) & 1
    ]


def test_demos_issue_verify_revoke_and_the_status_list_picture(
    dev: Dev, browser: WebDriver, tmp_path: Path
) -> None:
    wallet = Wallet(tmp_path / "wallet")
    open_page(browser, f"{dev.base}/explorer/#/demo")
    name = element(browser, "#issuer-field-name", "the issuer demo's form")
    name.clear()
    name.send_keys("Explorer Tester")
    browser.find_element(By.ID, "issuer-offer").click()
    qr = element(browser, "#issuer-qr", "the offer's QR code")
    assert wait_for(
        browser, lambda d: d.execute_script("return arguments[0].naturalWidth", qr), "the QR image"
    )
    deep_link = browser.find_element(By.ID, "issuer-deeplink").text
    assert deep_link.startswith("openid-credential-offer://")
    assert len(wallet.accept_offer(deep_link)) == 2, "dc+sd-jwt and jwt_vc_json from one offer"

    result, outcome = present_in_page(browser, dev, wallet)
    assert outcome.accepted, outcome.describe()
    assert result.get_attribute("data-verify-result") == "true"
    assert "verifyResult: true" in result.text
    claim = result.find_element(By.CSS_SELECTOR, 'tr.claim[data-ename="name"] .value')
    assert claim.text == "Explorer Tester"

    headers = dev.issuer_headers()
    cards = httpx.get(f"{dev.base}/api/credential/datatag/explorer", headers=headers, timeout=60).json()[
        "vcList"
    ]
    assert len(cards) == 1, cards
    revoked = httpx.put(
        f"{dev.base}/api/credential/{cards[0]['cid']}/revocation", headers=headers, timeout=120
    )
    assert revoked.status_code == 200, revoked.text

    open_page(browser, f"{dev.base}/explorer/#/entity/{quote(DEMO_ISSUER_DID, safe='')}")
    lists = httpx.get(f"{dev.base}/1.0/entities/{DEMO_ISSUER_DID}").json()["statusLists"]
    assert {item["purpose"] for item in lists} >= {"revocation", "suspension"}

    def picture_matches_the_lists() -> bool:
        """Each list's picture shows exactly the bits the resolver serves (the dev seeding may still
        be revoking its own demo card, so a mismatch reloads and looks again)."""
        browser.refresh()
        blocks = wait_for(
            browser,
            lambda d: (
                (found := d.find_elements(By.CSS_SELECTOR, "#status-lists .status-list"))
                and all(b.get_attribute("data-ready") == "true" for b in found)
                and found
            ),
            "the status-list pictures",
        )
        assert len(blocks) == len(lists)
        for block in blocks:
            served = httpx.get(f"{dev.base}/1.0/status-lists/{block.get_attribute('data-list-id')}").json()
            expected = set_indices(decode(served["encodedList"]))
            shown = block.get_attribute("data-set-indices")
            if int(block.get_attribute("data-set-count")) != len(expected):
                return False
            if shown != ",".join(str(i) for i in expected[:1000]):
                return False
            if block.find_element(By.CSS_SELECTOR, ".set-count").text != str(len(expected)):
                return False
        return True

    wait_until(picture_matches_the_lists, 90, what="the status-list pictures to match the resolver")
    revocation = browser.find_element(
        By.CSS_SELECTOR, '#status-lists .status-list[data-purpose="revocation"]'
    )
    count = int(revocation.get_attribute("data-set-count"))
    assert count >= 1, "our card is revoked"
    first = int(revocation.get_attribute("data-set-indices").split(",")[0])
    pixel = browser.execute_script(
        "const canvas = arguments[0].querySelector('canvas');"
        "const i = arguments[1];"
        "return Array.from(canvas.getContext('2d').getImageData(i % canvas.width,"
        " Math.floor(i / canvas.width), 1, 1).data);",
        revocation,
        first,
    )
    assert pixel == [198, 40, 40, 255], "a set entry is drawn red"
    assert f"{count} of 131072 entries set" in revocation.text

    result, outcome = present_in_page(browser, dev, wallet)
    assert outcome.accepted  # processed, so 200 (OID4VP 1.0 §8.2); the result says REVOKED
    assert result.get_attribute("data-verify-result") == "false"
    codes = [cell.text for cell in result.find_elements(By.CSS_SELECTOR, "tr.reason .reason-code")]
    assert "REVOKED" in codes, result.text

    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(url.startswith(dev.base) for url in resources), resources
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe


def test_the_root_opens_the_explorer_which_lists_the_apis_here(dev: Dev, browser: WebDriver) -> None:
    open_page(browser, f"{dev.base}/")
    wait_for(browser, lambda d: d.current_url == f"{dev.base}/explorer/", "the root to lead to the explorer")
    issuer = element(browser, "#apis [data-module=issuer]", "the API list")
    wait_for(browser, lambda d: issuer.is_displayed(), "the issuer, which dev runs, in the API list")
    assert "/api/qrcode/data" in issuer.text
    assert browser.find_element(By.CSS_SELECTOR, "#apis [data-module=verifier]").is_displayed()
    docs = browser.find_element(By.CSS_SELECTOR, "#apis a[href='../docs']")
    assert docs.get_attribute("href") == f"{dev.base}/docs"


def test_a_halted_follower_shows_a_banner_on_every_page(dev: Dev, browser: WebDriver) -> None:
    """Last in this module: it halts the module's dev process on purpose (a reorg below the
    horizon, made by Anvil's own anvil_reorg)."""
    rpc_url = json.loads((dev.var / "deployment.json").read_text())["rpc_url"]
    dev.cli(
        "entity",
        "register",
        "--parent",
        "root",
        "--label",
        "halting",
        "--did",
        "did:example:halting",
        "--controller",
        "dev7",
    )
    httpx.post(
        rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": "anvil_reorg", "params": [1, []]}, timeout=30
    )
    wait_until(
        lambda: httpx.get(f"{dev.base}/health", timeout=30).json().get("follower", {}).get("halted"),
        60,
        what="the follower to halt on the reorg",
    )
    open_page(browser, f"{dev.base}/explorer/#/demo")
    banner = element(browser, "#halt-banner", "the halt banner")
    wait_for(
        browser, lambda d: banner.is_displayed() and "halted at block" in banner.text, "the banner's text"
    )
    assert "TRUST_DATA_STALE" in banner.text
