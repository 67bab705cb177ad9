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
import struct
import urllib.error
import urllib.request
import zlib

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

    def __init__(self, binary, extra=()):
        self.dir = tempfile.mkdtemp(prefix="motcua-browser-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.out = open(os.path.join(self.dir, "serve.out"), "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--database", f"sqlite://{self.dir}/demo.db",
             "--addr", f"127.0.0.1:{self.port}", *extra],
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
        try:
            with urllib.request.urlopen(req) as r:
                text = r.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read().decode()}") from None

    def citizen(self, login, name, password="song-hau-phu-sa-42"):
        """An applicant account made through the API, and its bearer token."""
        self.api("POST", "/accounts", {"id": login, "name": name, "password": password})
        return self.api("POST", "/sessions", {"id": login, "password": password})["token"]

    def command(self, dossier, token, command, **fields):
        return self.api("POST", f"/dossiers/{dossier}/commands",
                        {"command": command, **fields}, token)

    def staff_token(self, login, new_password):
        once = self.passwords()[login]
        first = self.api("POST", "/sessions", {"id": login, "password": once})["token"]
        self.api("POST", "/me/password", {"current": once, "new": new_password}, first)
        return self.api("POST", "/sessions", {"id": login, "password": new_password})["token"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def sample_files(directory):
    """A one-page PDF and a small PNG photo, as a scanner or a phone would give them."""
    pdf = os.path.join(directory, "to-khai.pdf")
    with open(pdf, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
                b"trailer<</Root 1 0 R>>\n%%EOF\n")

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(v for x in range(32) for v in (x * 8 % 256, 120, 200 - x))
                    for _ in range(24))
    png = os.path.join(directory, "giay-chung-sinh.png")
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 24, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return pdf, png


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
        "form": {"ten_tre": "Lâm Gia Bảo", "ngay_sinh": "27/02/2026"},
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


KHAI_SINH = "1.001193"
COMMUNE = "000.31.12.H53"


def online_dossier(server, token, name="Trần Thị Mai"):
    """A birth registration submitted online through the API, and its id."""
    return server.api("POST", "/dossiers", {
        "procedure": KHAI_SINH, "agency": COMMUNE, "applicant": {"name": name},
        "form": {"ten_tre": "Lâm Gia Bảo", "ngay_sinh": "27/02/2026"},
        "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}, token)["id"]


def log_in(page, server, login, password="song-hau-phu-sa-42", then="/ho-so"):
    page.goto(server.base + "/dang-nhap?tiep=" + then)
    page.get_by_label("Tên đăng nhập").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()


def submit_online(browser, server, shots):
    """Find a procedure without diacritics, read it, register from its page, submit it
    online with a PDF and a photo (a missing field on the way), see it in My dossiers."""
    pdf, png = sample_files(server.dir)
    page = browser.new_page()
    page.goto(server.base + "/")
    page.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url("**/thu-tuc?q=*")
    page.get_by_role("link", name="Đăng ký khai sinh").first.click()
    page.wait_for_url(f"**/thu-tuc/{KHAI_SINH}")
    check("Thành phần hồ sơ" in page.locator("main").inner_text(), "the procedure is read")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url(f"**/thu-tuc/{KHAI_SINH}/nop")
    audit(page, "submit-start-anonymous", shots)
    page.get_by_role("link", name="Tạo tài khoản").click()
    page.get_by_label("Họ và tên").fill("Lâm Thị Hồng")
    page.get_by_label("Tên đăng nhập").fill("lam-thi-hong")
    page.get_by_label("Mật khẩu", exact=True).fill("song-hau-phu-sa-42")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(f"**/thu-tuc/{KHAI_SINH}/nop")
    check(page.get_by_role("button", name="Bắt đầu").count() == 1,
          "registering from the submission page comes back to it")
    audit(page, "submit-start", shots)
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url("**/nop/*/nguoi-nop")
    check(page.get_by_label("Họ và tên").input_value() == "Lâm Thị Hồng",
          "the applicant is prefilled from the profile")
    audit(page, "submit-applicant", shots)
    page.get_by_label("Số định danh cá nhân").fill("094190001234")
    page.get_by_label("Số điện thoại").fill("0912000111")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/nop/*/to-khai")
    draft = page.url.split("/nop/")[1].split("/")[0]
    page.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Lâm Gia Bảo")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và tiếp tục").click()
    summary = page.locator(".error-summary")
    check(summary.count() == 1 and "năm sinh" in summary.inner_text().lower(),
          "a missing date of birth is named in the error summary")
    audit(page, "submit-form-error", shots)
    summary.get_by_role("link").first.click()
    check(page.evaluate("document.activeElement.id") == "form.ngay_sinh",
          "the summary's link takes the focus to the field")
    page.keyboard.type("27/02/2026")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/nop/*/giay-to")
    audit(page, "submit-files", shots)
    page.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(pdf)
    page.get_by_label("Giấy chứng sinh").set_input_files(png)
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/nop/*/nhan-ket-qua")
    # A dropped connection loses nothing: the draft is on the server, listed in My dossiers.
    page.goto(server.base + "/ho-so")
    check("Đang soạn, chưa nộp" in page.locator("main").inner_text(),
          "the unfinished draft is listed in My dossiers")
    page.goto(server.base + f"/nop/{draft}/giay-to")
    files = page.locator("main").inner_text()
    check("to-khai.pdf" in files and "giay-chung-sinh.png" in files,
          "both files were kept with the draft")
    page.goto(server.base + f"/nop/{draft}/nhan-ket-qua")
    page.get_by_label("Nhận qua dịch vụ bưu chính công ích").check()
    page.get_by_label("Địa chỉ nhận kết quả").fill("12 Trần Hưng Đạo, Phường 2, Sóc Trăng")
    page.get_by_label("Số điện thoại người nhận").fill("0912000111")
    audit(page, "submit-delivery", shots)
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/nop/*/kiem-tra")
    body = page.locator("main").inner_text()
    check("Lâm Gia Bảo" in body and "12 Trần Hưng Đạo" in body and "to-khai.pdf" in body,
          "the check page shows the answers")
    audit(page, "submit-check", shots)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/nop/*/da-nop")
    body = page.locator("main").inner_text()
    check("Đã nộp hồ sơ" in body and draft in body, "the confirmation gives the dossier's id")
    check("8 giờ làm việc" in body, "the confirmation gives the intake deadline")
    audit(page, "submit-done", shots)
    # Submitting again (the back button, a second click) makes no second dossier.
    page.goto(server.base + f"/nop/{draft}/kiem-tra")
    if page.get_by_role("button", name="Nộp hồ sơ").count():
        page.get_by_role("button", name="Nộp hồ sơ").click()
        page.wait_for_load_state()
    page.goto(server.base + "/ho-so")
    rows = page.locator("tbody tr")
    check(rows.count() == 1 and "đăng ký khai sinh" in rows.first.inner_text(),
          f"My dossiers lists the one dossier submitted ({rows.count()} rows)")
    audit(page, "mine", shots)
    rows.first.get_by_role("link").click()
    body = page.locator("main").inner_text()
    check("chờ tiếp nhận" in body and "Hạn tiếp nhận hồ sơ" in body,
          "the dossier page shows its state and the intake deadline")
    check("bưu chính" in body, "the postal delivery request is on the dossier")
    audit(page, "dossier", shots)
    page.close()


def supplement_answered(browser, server, shots):
    """The desk accepts, then asks for a supplement (through the API); the applicant answers
    it with a file on the dossier's page."""
    pdf, _ = sample_files(server.dir)
    citizen = server.citizen("tran-thi-mai", "Trần Thị Mai")
    dossier = online_dossier(server, citizen)
    desk = server.staff_token("mot-cua.p2", "ben-ninh-kieu-17")
    server.command(dossier, desk, "accept")
    server.command(dossier, desk, "request-supplement",
                   reason="Giấy chứng sinh bị mờ, không đọc được số.",
                   items=["Giấy chứng sinh (bản rõ nét)"])
    page = browser.new_page()
    log_in(page, server, "tran-thi-mai", then=f"/ho-so/{dossier}")
    body = page.locator("main").inner_text()
    check("Giấy chứng sinh bị mờ" in body and "bản rõ nét" in body,
          "the dossier page shows what the agency asks for")
    audit(page, "dossier-supplement", shots)
    form = page.locator("section.action", has=page.locator("input[value=receive-supplement]"))
    form.get_by_label("Giấy chứng sinh").set_input_files(pdf)
    with page.expect_navigation():
        form.get_by_role("button", name="Gửi bổ sung").click()
    body = page.locator("main").inner_text()
    check("Bổ sung" in body or "bổ sung" in body, "the answer is in the timeline")
    state = server.api("GET", f"/dossiers/{dossier}", token=desk)
    state = state["dossier"]["state"]
    check(state != "awaiting-supplement", f"the dossier goes on ({state})")
    page.close()


def feedback_answered(browser, server, shots):
    """Feedback sent without an account; the agency answers and publishes (API); the answer
    is found in the Q&A."""
    page = browser.new_page()
    page.goto(server.base + "/")
    page.get_by_role("link", name="Hỏi đáp, phản ánh").first.click()
    page.goto(server.base + "/phan-anh")
    audit(page, "feedback-form", shots)
    page.get_by_label("Gửi đến cơ quan").select_option(COMMUNE)
    page.get_by_label("Tiêu đề").fill("Giờ làm việc ngày thứ Bảy")
    page.get_by_label("Nội dung").fill("Bộ phận Một cửa phường có làm việc sáng thứ Bảy không?")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phản ánh").click()
    check(page.locator(".error-summary").count() == 1,
          "without an account, a missing contact is named in the summary")
    page.get_by_label("Họ tên và số điện thoại").fill("Danh Sơn, 0913000222")
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url("**/phan-anh/*")
    feedback = page.url.split("/phan-anh/")[1].split("?")[0]
    check("3 ngày làm việc" in page.locator("main").inner_text(),
          "the confirmation says when the answer is due")
    audit(page, "feedback-sent", shots)
    desk = server.staff_token("mot-cua.p2", "ben-ninh-kieu-17")
    server.api("POST", f"/feedback/{feedback}/answer",
               {"answer": "Bộ phận Một cửa làm việc sáng thứ Bảy từ 7 giờ 30 đến 11 giờ 30.",
                "publish": True}, desk)
    page.goto(server.base + "/hoi-dap")
    page.get_by_label("Tìm trong các câu trả lời").fill("thu bay")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm", exact=True).last.click()
    body = page.locator("main").inner_text()
    check("sáng thứ Bảy từ 7 giờ 30" in body, "the published answer is found without diacritics")
    check("0913000222" not in body, "the Q&A does not show the asker's contact")
    audit(page, "answers", shots)
    page.close()


def rating_after_return(browser, server, shots):
    """The dossier is handled and its result returned (API); the applicant rates it with the
    keyboard only."""
    citizen = server.citizen("ly-van-nam", "Lý Văn Nam")
    dossier = online_dossier(server, citizen, "Lý Văn Nam")
    desk = server.staff_token("mot-cua.p2", "ben-ninh-kieu-17")
    leader = server.staff_token("chu-tich.p2", "vam-nao-song-tien-9")
    server.command(dossier, desk, "accept")
    server.command(dossier, desk, "forward", to="ky")
    server.command(dossier, leader, "mark-finished", outcome={"kind": "granted"})
    server.command(dossier, desk, "return-result")
    page = browser.new_page()
    log_in(page, server, "ly-van-nam", then=f"/ho-so/{dossier}")
    audit(page, "dossier-returned", shots)
    page.locator("#muc-5").focus()
    page.keyboard.press("Space")
    check(page.locator("#muc-5").is_checked(), "the keyboard picks a level of satisfaction")
    page.locator("#y-kien").focus()
    page.keyboard.type("Nhanh, đúng hẹn.")
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    body = page.locator("main").inner_text()
    check("Nhanh, đúng hẹn." in body or "đánh giá" in body.lower(), "the rating is recorded")
    state = server.api("GET", f"/dossiers/{dossier}", token=citizen)
    check(state.get("rating") == 5 or (state.get("dossier") or {}).get("rating") == 5,
          f"the dossier carries the rating ({sorted(state)})")
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
        for journey in (find_and_read, lookup_by_keyboard, register_and_log_in, submit_online,
                        supplement_answered, feedback_answered, rating_after_return):
            server = Server(args.motcua)
            try:
                print(f"== {journey.__name__}")
                journey(browser, server, args.screenshots)
            except Exception as e:  # a step that could not be done is a failure
                FAILURES.append(f"{journey.__name__}: {e}")
                print("FAIL:", journey.__name__, e)
                for context in browser.contexts:  # where it stood, to see why
                    for open_page in context.pages:
                        print("  at", open_page.url, "showing:",
                              open_page.locator("main").inner_text()[:600].replace("\n", " | "))
            finally:
                server.stop()
        browser.close()
    print(f"{len(VISITED)} pages audited, {len(FAILURES)} failure(s)")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
