#!/usr/bin/env python3
"""Browser journeys through the citizen portal in a real Chromium (Debian's, driven by
Playwright for Python; never `playwright install`), with axe-core on every page visited.

    portal.py --motcua target/debug/motcua [--chromium /usr/bin/chromium] [--screenshots DIR]

Each journey starts from a fresh demo server. Fails (exit 1) on any step that does not
behave, and on any axe violation of impact serious or critical. With --screenshots, saves
every page at 1280 px and 390 px.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright, expect

AXE = Axe()
FAILURES = []
VISITED = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """A motcua server on a fresh demo database."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="motcua-browser-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.out = open(os.path.join(self.dir, "serve.out"), "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--database", f"sqlite://{self.dir}/demo.db",
             "--addr", f"127.0.0.1:{self.port}"],
            stdout=self.out, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")

    def passwords(self):
        with open(os.path.join(self.dir, "serve.out")) as f:
            return {parts[0]: parts[3] for parts in (l.split() for l in f)
                    if len(parts) == 4 and "." in parts[0]}

    def api(self, method, path, body=None, token=None):
        req = urllib.request.Request(self.base + "/api/v1" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", "Bearer " + token)
        with urllib.request.urlopen(req) as r:
            text = r.read()
            return json.loads(text) if text else None

    def staff_token(self, login, new_password):
        once = self.passwords()[login]
        first = self.api("POST", "/sessions", {"id": login, "password": once})["token"]
        self.api("POST", "/me/password", {"current": once, "new": new_password}, first)
        return self.api("POST", "/sessions", {"id": login, "password": new_password})["token"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL:", what)
    else:
        print("ok:", what)


def audit(page, name, shots):
    """axe on the page; screenshots at both widths when asked."""
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    VISITED.append(page.url)
    check(not bad, f"axe: no serious or critical violation on {name} "
                   f"({', '.join(v['id'] for v in bad) or 'none'})")
    if shots:
        for width, label in ((1280, "desktop"), (390, "phone")):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=os.path.join(shots, f"{name}-{label}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def find_and_read(browser, server, shots):
    """Find a procedure without diacritics, read all of it."""
    page = browser.new_page()
    page.goto(server.base + "/")
    expect(page.locator("h1")).to_have_text("Dịch vụ công trực tuyến")
    audit(page, "home", shots)
    page.get_by_label("Tên hoặc mã thủ tục").fill("giay phep xay dung")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url("**/thu-tuc?q=*")
    audit(page, "catalogue", shots)
    link = page.get_by_role("link", name="Cấp giấy phép xây dựng", exact=False).first
    check(link.count() == 1, "the search without diacritics finds the building permit")
    link.click()
    page.wait_for_url("**/thu-tuc/XD-GPXD-MOI")
    body = page.locator("main").inner_text()
    for want in ("Thành phần hồ sơ", "Trình tự giải quyết", "Phí, lệ phí", "Căn cứ pháp lý",
                 "Thời hạn giải quyết", "Sở Xây dựng"):
        check(want in body, f"the procedure page shows {want}")
    audit(page, "procedure", shots)
    page.close()


def lookup_by_keyboard(browser, server, shots):
    """An online dossier accepted by the desk (through the API); anyone looks it up by its
    code, with the keyboard only."""
    server.api("POST", "/accounts", {"id": "nguoi-dan", "name": "Người Dân",
                                     "password": "song-hau-phu-sa-42"})
    citizen = server.api("POST", "/sessions", {"id": "nguoi-dan",
                                               "password": "song-hau-phu-sa-42"})["token"]
    dossier = server.api("POST", "/dossiers", {
        "procedure": "1.001193", "agency": "000.31.12.H53",
        "applicant": {"name": "Người Dân Bí Mật"},
        "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}, citizen)
    desk = server.staff_token("mot-cua.p2", "ben-ninh-kieu-17")
    code = server.api("POST", f"/dossiers/{dossier['id']}/commands", {"command": "accept"},
                      desk)["code"]
    page = browser.new_page()
    page.goto(server.base + "/")
    # Skip link first, then the search form, then the lookup field.
    page.keyboard.press("Tab")
    check(page.evaluate("document.activeElement.textContent").startswith("Bỏ qua"),
          "the first Tab reaches the skip link")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ma":
            break
    check(page.evaluate("document.activeElement.id") == "ma", "Tab reaches the code field")
    page.keyboard.type("abc")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check(page.locator(".error-summary").count() == 1, "a malformed code gets an error summary")
    audit(page, "lookup-error", shots)
    page.locator("#ma").fill("")
    page.locator("#ma").focus()
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    body = page.locator("main").inner_text()
    check(code in body and "Đang xử lý" in body, "the lookup shows the dossier's state")
    check("Người Dân Bí Mật" not in body, "the lookup shows no personal data")
    audit(page, "lookup", shots)
    page.goto(server.base + f"/tra-cuu/{code}")
    check(code in page.locator("main").inner_text(), "the QR address /tra-cuu/{code} answers")
    page.goto(server.base + "/khong-co-trang-nay")
    check("Về trang chủ" in page.locator("main").inner_text(), "an unknown address has a way back")
    audit(page, "not-found", shots)
    page.close()


def register_and_log_in(browser, server, shots):
    """Register in the pages, fix an error shown by the summary, edit the profile, log out,
    log in again."""
    page = browser.new_page()
    page.goto(server.base + "/")
    page.get_by_role("link", name="Đăng ký", exact=True).click()
    page.wait_for_url("**/dang-ky")
    audit(page, "register", shots)
    page.get_by_label("Họ và tên").fill("Thạch Thị Sa Ra")
    page.get_by_label("Tên đăng nhập").fill("thach-sa-ra")
    page.get_by_label("Mật khẩu", exact=True).fill("1234567890")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký").click()
    summary = page.locator(".error-summary")
    check(summary.count() == 1, "a weak password is named in an error summary")
    audit(page, "register-error", shots)
    summary.get_by_role("link").first.click()
    check(page.evaluate("document.activeElement.id") == "password",
          "the summary's link takes the focus to the field")
    page.get_by_label("Mật khẩu", exact=True).fill("song-hau-phu-sa-42")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url("**/tai-khoan?moi=1")
    check("Đã tạo tài khoản" in page.locator("main").inner_text(), "registered and logged in")
    audit(page, "account", shots)
    page.get_by_label("Thư điện tử").fill("sara@example.vn")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    check("Đã lưu." in page.locator("main").inner_text(), "the profile is saved")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(server.base + "/")
    check(page.get_by_role("link", name="Đăng nhập").count() == 1, "logged out")
    page.get_by_role("link", name="Đăng nhập").click()
    audit(page, "login", shots)
    page.get_by_label("Tên đăng nhập").fill("thach-sa-ra")
    page.get_by_label("Mật khẩu").fill("song-hau-phu-sa-42")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tai-khoan")
    check(page.get_by_label("Thư điện tử").input_value() == "sara@example.vn",
          "logged in again, the profile as saved")
    page.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--motcua", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--screenshots")
    args = ap.parse_args()
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                    args=["--no-sandbox"])
        for journey in (find_and_read, lookup_by_keyboard, register_and_log_in):
            server = Server(args.motcua)
            try:
                print(f"== {journey.__name__}")
                journey(browser, server, args.screenshots)
            except Exception as e:  # a step that could not be done is a failure
                FAILURES.append(f"{journey.__name__}: {e}")
                print("FAIL:", journey.__name__, e)
            finally:
                server.stop()
        browser.close()
    print(f"{len(VISITED)} pages audited, {len(FAILURES)} failure(s)")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
