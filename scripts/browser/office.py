#!/usr/bin/env python3
"""Browser journeys through the back office in a real Chromium (Debian's, driven by
Playwright for Python; never `playwright install`), with axe-core on every page visited.

    office.py --motcua target/debug/motcua [--chromium /usr/bin/chromium] [--screenshots DIR]

Each journey starts from a fresh demo server (the helpers are portal.py's). Fails (exit 1)
on any step that does not behave and on any axe violation of impact serious or critical.
"""
import argparse
import os
import sys
import time

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal  # noqa: E402
from portal import check, audit, online_dossier, log_in, sample_files  # noqa: E402

DESK = ("mot-cua.p2", "ben-ninh-kieu-17")
LEADER = ("chu-tich.p2", "vam-nao-song-tien-9")


def first_login(browser, server, login, new_password):
    """A demo officer's first login in the pages: the one-time password, then the change
    the system requires, then a login with the new one. Answers the page, at the queue."""
    page = browser.new_page()
    once = server.passwords()[login]
    log_in(page, server, login, once, then="/can-bo")
    check(page.url.endswith("/doi-mat-khau"), f"{login}: the first login asks for a new password")
    page.get_by_label("Mật khẩu hiện tại").fill(once)
    page.get_by_label("Mật khẩu mới").fill(new_password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đổi mật khẩu").click()
    log_in(page, server, login, new_password, then="/can-bo")
    check(page.url.endswith("/can-bo"), f"{login}: after the change, the queue")
    return page


def run_action(page, title, fill=None):
    """Opens the action `title` in the workspace, fills it, sends it."""
    box = page.locator("details.action", has=page.locator("summary", has_text=title))
    if box.get_attribute("open") is None:  # a lone action is shown open
        box.locator("summary").click()
    if fill:
        fill(box)
    with page.expect_navigation():
        box.get_by_role("button").last.click()


def whole_dossier(browser, server, shots):
    """An online birth registration carried to the returned result, each officer in their
    own browser session: the desk accepts and forwards, the leader finishes, the desk
    returns; the applicant sees it returned in the portal."""
    citizen = server.citizen("lam-thi-hong", "Lâm Thị Hồng")
    dossier = online_dossier(server, citizen, "Lâm Thị Hồng")
    desk = first_login(browser, server, *DESK)
    audit(desk, "office-queue", shots)
    body = desk.locator("main").inner_text()
    check("Lâm Thị Hồng" in body and "chưa tiếp nhận" in body, "the desk's queue has the online dossier")
    desk.get_by_role("link", name=f"{dossier} (chưa tiếp nhận)").click()
    desk.wait_for_url(f"**/can-bo/ho-so/{dossier}")
    check("Hạn tiếp nhận (8 giờ làm việc)" in desk.locator("main").inner_text(),
          "the workspace shows the intake deadline")
    audit(desk, "office-dossier", shots)
    run_action(desk, "Tiếp nhận hồ sơ")
    body = desk.locator("main").inner_text()
    check("Đã thực hiện: Tiếp nhận hồ sơ" in body and "000.31.12.H53-" in body,
          "accepted, with the code the system assigned")
    audit(desk, "office-accepted", shots)
    # What to print: the receipt, offered first; the link answers a PDF the browser shows.
    receipt = desk.get_by_role("link", name="In Mẫu số 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    check(receipt.count() == 1, "after the acceptance, the receipt is offered to print")
    pdf = desk.request.get(server.base + receipt.get_attribute("href"))
    check(pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
          and pdf.body().startswith(b"%PDF-"), "the receipt link answers the PDF")
    check(desk.get_by_role("link", name="Mẫu số 05 – Phiếu kiểm soát quá trình giải quyết hồ sơ").count() == 1,
          "the process-control slip is listed with the forms")
    run_action(desk, "Chuyển bước",
               lambda box: box.get_by_label("Chuyển đến bước").select_option("ky"))
    check("Chủ tịch UBND xã ký Giấy khai sinh" in desk.locator("main").inner_text(),
          "forwarded to the leader's step")
    leader = first_login(browser, server, *LEADER)
    leader.get_by_role("link", name="000.31.12.H53-", exact=False).first.click()
    check(leader.locator("summary", has_text="Kết thúc xử lý").count() == 1
          or leader.locator("input[value=mark-finished]").count() == 1,
          "the leader is offered the finish")
    check(desk.locator("input[value=mark-finished]").count() == 0,
          "the desk is not offered the leader's finish")
    audit(leader, "office-leader", shots)
    run_action(leader, "Kết thúc xử lý")
    check(server.api("GET", f"/dossiers/{dossier}", token=citizen)["dossier"]["state"] == "finished",
          "finished by the leader")
    desk.reload()
    run_action(desk, "Trả kết quả")
    check("Đã trả kết quả" in desk.locator("main").inner_text(), "returned by the desk")
    audit(desk, "office-returned", shots)
    page = browser.new_page()
    log_in(page, server, "lam-thi-hong", then=f"/ho-so/{dossier}")
    check("Đã trả kết quả" in page.locator("main").inner_text(),
          "the applicant sees the result returned")
    check(page.get_by_role("link", name="Mẫu số 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả").count() == 1,
          "the applicant is offered the receipt")
    audit(page, "portal-returned", shots)
    # The notices reached the applicant's portal inbox (the server's outbox worker).
    page.goto(server.base + "/ho-so")
    page.get_by_role("link", name="Thông báo", exact=False).click()
    page.wait_for_url("**/thong-bao")
    body = page.locator("main").inner_text()
    check("đã được tiếp nhận" in body and "đã có kết quả" in body and "Chưa đọc" in body,
          "the inbox holds the acceptance and the result, unread")
    audit(page, "portal-inbox", shots)
    unread = page.locator(".tag", has_text="Chưa đọc").count()
    with page.expect_navigation():
        page.get_by_role("button", name="Đánh dấu đã đọc").first.click()
    check(page.locator(".tag", has_text="Chưa đọc").count() == unread - 1, "one marked read")
    for p in (desk, leader, page):
        p.close()


def supplement_round(browser, server, shots):
    """The desk asks for a supplement in the workspace; the applicant answers it with a file
    in the portal; the desk sees the file."""
    pdf, _ = sample_files(server.dir)
    citizen = server.citizen("tran-thi-mai", "Trần Thị Mai")
    dossier = online_dossier(server, citizen)
    desk = first_login(browser, server, *DESK)
    desk.goto(server.base + f"/can-bo/ho-so/{dossier}")
    run_action(desk, "Tiếp nhận hồ sơ")

    def ask(box):
        box.get_by_label("Lý do").fill("Giấy chứng sinh bị mờ.")
        box.get_by_label("Nội dung cần bổ sung").fill("Giấy chứng sinh (bản rõ nét)")
    run_action(desk, "Yêu cầu bổ sung", ask)
    check("Chờ bổ sung" in desk.locator("main").inner_text(), "the dossier waits for the supplement")
    page = browser.new_page()
    log_in(page, server, "tran-thi-mai", then=f"/ho-so/{dossier}")
    form = page.locator("section.action", has=page.locator("input[value=receive-supplement]"))
    form.get_by_label("Giấy chứng sinh").set_input_files(pdf)
    with page.expect_navigation():
        form.get_by_role("button", name="Gửi bổ sung").click()
    desk.reload()
    body = desk.locator("main").inner_text()
    check("to-khai.pdf" in body and "Đang xử lý" in body,
          "the desk sees the file sent and the dossier going on")
    audit(desk, "office-supplemented", shots)
    desk.close()
    page.close()


def desk_intake(browser, server, shots):
    """A paper dossier brought to the desk: the procedure chosen, the applicant and the form
    typed, the components ticked, a scan uploaded, accepted in one page."""
    _, png = sample_files(server.dir)
    desk = first_login(browser, server, *DESK)
    desk.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy").click()
    desk.get_by_label("Thủ tục").select_option("1.001193")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Chọn").click()
    audit(desk, "office-intake", shots)
    desk.get_by_label("Họ và tên người nộp").fill("Thạch Sa Ra")
    desk.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Thạch Bảo Ngọc")
    desk.get_by_label("Ngày, tháng, năm sinh").fill("01/11/2026")
    desk.get_by_label("Tờ khai đăng ký khai sinh —", exact=False).check()
    desk.get_by_label("Giấy chứng sinh —", exact=False).check()
    desk.get_by_label("Bản quét: Giấy chứng sinh").set_input_files(png)
    with desk.expect_navigation():
        desk.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    body = desk.locator("main").inner_text()
    check("Đã thực hiện: Tiếp nhận hồ sơ" in body and "000.31.12.H53-" in body and "Trực tiếp" in body,
          "registered at the desk and accepted, with its code")
    check(desk.locator("ul.previews img").count() == 1, "the scan is shown in the workspace")
    audit(desk, "office-intake-done", shots)
    desk.close()


def procedure_published(browser, server, shots):
    """A procedure file with errors shown with their lines; fixed, checked, drawn and
    published; assigned to the commune; then found in the portal and submitted to."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    text = open(os.path.join(root, "examples/procedures/khai-sinh.toml"), encoding="utf-8").read()
    text = (text.replace('code = "1.001193"', 'code = "TN-KS-2026"')
                .replace('name = "Thủ tục đăng ký khai sinh"', 'name = "Đăng ký khai sinh lưu động (thử nghiệm)"'))
    broken = text.replace('role = "agency-leader"', 'role = "chief-of-everything"')
    bad_file = os.path.join(server.dir, "sai.toml")
    good_file = os.path.join(server.dir, "dung.toml")
    open(bad_file, "w", encoding="utf-8").write(broken)
    open(good_file, "w", encoding="utf-8").write(text)
    admin = first_login(browser, server, "quan-tri.he-thong", "song-cuu-long-chin-nhanh")
    admin.get_by_role("link", name="Quản trị thủ tục").click()
    audit(admin, "admin-procedures", shots)
    admin.get_by_label("Tệp thủ tục (TOML)").set_input_files(bad_file)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Kiểm tra", exact=True).click()
    body = admin.locator("main").inner_text()
    check("chưa công bố được" in body and "chief-of-everything" in body,
          "the file's error is shown with its line")
    check(admin.get_by_role("button", name="Công bố phiên bản này").count() == 0,
          "a file with errors cannot be published")
    audit(admin, "admin-check-errors", shots)
    admin.goto(server.base + "/can-bo/thu-tuc")
    admin.get_by_label("Tệp thủ tục (TOML)").set_input_files(good_file)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Kiểm tra", exact=True).click()
    check(admin.locator("svg[role=img]").count() == 1, "the workflow is drawn")
    audit(admin, "admin-check", shots)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Công bố phiên bản này").click()
    check("Đã công bố thủ tục TN-KS-2026" in admin.locator("main").inner_text(), "published")
    admin.get_by_label("Thủ tục", exact=True).select_option("TN-KS-2026")
    admin.get_by_label("Cơ quan tiếp nhận và giải quyết").select_option(portal.COMMUNE)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Giao thủ tục").click()
    check("Đã giao thủ tục TN-KS-2026" in admin.locator("main").inner_text(), "assigned")
    page = browser.new_page()
    page.goto(server.base + "/thu-tuc?q=khai+sinh+luu+dong")
    page.get_by_role("link", name="Đăng ký khai sinh lưu động (thử nghiệm)").click()
    check("UBND Phường 2" in page.locator("main").inner_text(),
          "the portal names the commune as receiving it")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    check(page.url.endswith("/thu-tuc/TN-KS-2026/nop")
          and "Bạn cần chuẩn bị" in page.locator("main").inner_text(),
          "the portal offers it for online submission")
    citizen = server.citizen("nguoi-thu", "Người Thử")
    done = server.api("POST", "/dossiers", {
        "procedure": "TN-KS-2026", "agency": portal.COMMUNE, "applicant": {"name": "Người Thử"},
        "form": {"ten_tre": "Bé Thử", "ngay_sinh": "01/12/2026"},
        "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}, citizen)
    check(done["id"].startswith("hs-"), "a dossier submitted to the new procedure")
    admin.close()
    page.close()


def new_staff_account(browser, server, shots):
    """The province's administrator creates an officer's account; its one-time password is
    shown once; the officer's first login asks for a new password, then the queue."""
    admin = first_login(browser, server, "quan-tri.tinh", "phu-sa-mien-tay-21")
    admin.get_by_role("link", name="Tài khoản cán bộ").click()
    audit(admin, "admin-staff", shots)
    admin.get_by_label("Tên đăng nhập").fill("chuyen-vien.moi")
    admin.get_by_label("Họ và tên").fill("Nguyễn Thị Mới")
    admin.get_by_label("Lãnh đạo cơ quan").check()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Tạo tài khoản").click()
    once = admin.locator(".notice code").inner_text()
    check(len(once) >= 10, "the one-time password is shown")
    admin.reload()
    check(once not in admin.content(), "and only once")
    officer = browser.new_page()
    log_in(officer, server, "chuyen-vien.moi", once, then="/can-bo")
    check(officer.url.endswith("/doi-mat-khau"), "the new officer must change the password first")
    officer.get_by_label("Mật khẩu hiện tại").fill(once)
    officer.get_by_label("Mật khẩu mới").fill("song-tien-song-hau-88")
    with officer.expect_navigation():
        officer.get_by_role("button", name="Đổi mật khẩu").click()
    log_in(officer, server, "chuyen-vien.moi", "song-tien-song-hau-88", then="/can-bo")
    check(officer.url.endswith("/can-bo"), "then works at the queue")
    admin.close()
    officer.close()


def feedback_inbox(browser, server, shots):
    """Feedback sent without an account; the desk answers and publishes it in its inbox; the
    answer is in the Q&A."""
    page = browser.new_page()
    page.goto(server.base + "/phan-anh")
    page.get_by_label("Gửi đến cơ quan").select_option(portal.COMMUNE)
    page.get_by_label("Tiêu đề").fill("Làm việc sáng thứ Bảy")
    page.get_by_label("Nội dung").fill("Bộ phận Một cửa có làm việc sáng thứ Bảy không?")
    page.get_by_label("Họ tên và số điện thoại").fill("Danh Sơn, 0913000222")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phản ánh").click()
    desk = first_login(browser, server, *DESK)
    desk.get_by_role("link", name="Phản ánh, kiến nghị").click()
    body = desk.locator("main").inner_text()
    check("Làm việc sáng thứ Bảy" in body and "0913000222" in body,
          "the inbox shows the feedback and how to reach its sender")
    audit(desk, "office-feedback", shots)
    desk.get_by_label("Trả lời", exact=True).fill("Có, từ 7 giờ 30 đến 11 giờ 30.")
    desk.get_by_label("Công khai câu hỏi").check()
    with desk.expect_navigation():
        desk.get_by_role("button", name="Gửi trả lời").click()
    check("Đã gửi câu trả lời" in desk.locator("main").inner_text(), "answered")
    page.goto(server.base + "/hoi-dap?q=thu+bay")
    check("từ 7 giờ 30 đến 11 giờ 30" in page.locator("main").inner_text(), "published in the Q&A")
    desk.close()
    page.close()


def evaluation(browser, server, shots):
    """The service center scores the year: from the monitoring page to the scoring tool, the
    commune's indicators read from its returned dossiers, publicity and complaints entered
    with the keyboard-reachable form, the total and the band then shown."""
    center = first_login(browser, server, "giam-sat.ttpvhcc", "cai-rang-noi-cho-8")
    center.goto(server.base + "/can-bo/theo-doi")
    center.get_by_role("link", name="Đánh giá theo Bộ chỉ số (18 điểm)").click()
    center.wait_for_url("**/can-bo/theo-doi/danh-gia*")
    center.get_by_role("link", name="Năm nay").click()
    center.wait_for_url("**/can-bo/theo-doi/danh-gia*")
    center.get_by_role("link", name="UBND Phường 2", exact=True).first.click()
    center.wait_for_url("**co-quan=000.31.12.H53*")
    body = center.locator("main").inner_text()
    check("Trung bình của" in body and "Thiếu chỉ số 6" in body,
          "the commune's indicators come from its returned dossiers; publicity is missing")
    audit(center, "office-evaluation", shots)
    center.get_by_label("Chỉ số 6, công khai thủ tục hành chính: điểm Trung tâm đánh giá").select_option("2")
    center.get_by_label("Chỉ số 7: số phản ánh về thái độ", exact=False).fill("0")
    center.get_by_label("Ghi chú").fill("Niêm yết đầy đủ tại Bộ phận một cửa và trên Cổng.")
    with center.expect_navigation():
        center.get_by_role("button", name="Lưu").click()
    body = center.locator("main").inner_text()
    check("Đã lưu nội dung Trung tâm nhập" in body and "Thiếu chỉ số" not in body.split("Các chỉ số")[0],
          "saved: the commune has a total and a band")
    xlsx = center.request.get(server.base + center.get_by_role("link", name="Tải kết quả đánh giá (Excel)").get_attribute("href"))
    check(xlsx.status == 200 and xlsx.body().startswith(b"PK"), "the workbook downloads")
    audit(center, "office-evaluation-entered", shots)
    center.close()


class Refusing:
    """An SMTP server (aiosmtpd) that refuses every recipient until told to accept."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.accepting = False
        self.received = []
        self.port = portal.free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not self.accepting:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.rcpt_tos[0])
        return "250 OK"


def notices(browser, server, shots):
    """The administrator finds a mail the mail server refused among the dead letters, sends
    it again once the server accepts, sees it sent; then writes a template of the acceptance
    notice, a placeholder misspelt on the way (the error summary), and sees its version."""
    smtp = notices.smtp
    citizen = server.citizen("ly-mai", "Lý Thị Mai")
    dossier = server.api("POST", "/dossiers", {
        "procedure": portal.KHAI_SINH, "agency": portal.COMMUNE,
        "applicant": {"name": "Lý Thị Mai", "email": "ly.mai@example.vn"},
        "form": {"ten_tre": "Lý Gia Hân", "ngay_sinh": "27/02/2026"},
        "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}, citizen)["id"]
    desk = first_login(browser, server, *DESK)
    desk.goto(server.base + f"/can-bo/ho-so/{dossier}")
    run_action(desk, "Tiếp nhận hồ sơ")
    desk.close()
    admin = first_login(browser, server, "quan-tri.he-thong", "dinh-doc-lap-1945")
    admin.get_by_role("link", name="Thông báo gửi đi").click()
    admin.wait_for_url("**/can-bo/gui-thong-bao")
    for _ in range(50):
        if "ly.mai@example.vn" in admin.locator("main").inner_text():
            break
        time.sleep(0.2)
        admin.reload()
    row = admin.locator("tr", has_text="ly.mai@example.vn")
    check(row.count() == 1 and "550" in row.inner_text(),
          "the refused mail is a dead letter, with the mail server's answer")
    audit(admin, "office-deliveries-dead", shots)
    smtp.accepting = True
    with admin.expect_navigation():
        row.get_by_role("button", name="Gửi lại").click()
    check("vào hàng chờ gửi lại" in admin.locator("main").inner_text(), "retried: it says so")
    for _ in range(50):
        if "ly.mai@example.vn" in smtp.received:
            break
        time.sleep(0.2)
    check("ly.mai@example.vn" in smtp.received, "the mail sent again reached the mail server")
    admin.get_by_role("link", name="Đã gửi").click()
    admin.wait_for_url("**trang-thai=da-gui")
    check(admin.locator("tr", has_text="ly.mai@example.vn").count() == 1, "listed as sent")
    audit(admin, "office-deliveries-sent", shots)
    admin.get_by_role("link", name="Mẫu thông báo").click()
    admin.wait_for_url("**/can-bo/mau-thong-bao")
    form = admin.locator("section#mau-accepted")
    form.get_by_label("Tiêu đề").fill("Hồ sơ {ma_hs} đã được tiếp nhận")
    form.get_by_label("Nội dung").fill("Kính gửi {nguoi_nop}: hồ sơ {ma_ho_so} hẹn trả {ngay_hen}. Tra cứu: {tra_cuu}")
    with admin.expect_navigation():
        form.get_by_role("button").click()
    summary = admin.locator(".error-summary")
    check(summary.count() == 1 and "{ma_hs}" in summary.inner_text(),
          "a misspelt placeholder is named in the error summary")
    audit(admin, "office-templates-error", shots)
    check(summary.get_by_role("link").first.get_attribute("href") == "#tieu-de-accepted",
          "the summary links to the title field")
    form = admin.locator("section#mau-accepted")
    check(form.get_by_label("Tiêu đề").get_attribute("aria-invalid") == "true"
          and "{ma_hs}" in form.get_by_label("Tiêu đề").input_value(),
          "the field is marked and keeps what was typed")
    form.get_by_label("Tiêu đề").fill("Hồ sơ {ma_ho_so} đã được tiếp nhận")
    with admin.expect_navigation():
        admin.locator("section#mau-accepted").get_by_role("button").click()
    body = admin.locator("main").inner_text()
    check("Đã lưu phiên bản mới" in body and "Đang dùng phiên bản 1" in body,
          "saved as version 1, in use")
    audit(admin, "office-templates", shots)
    admin.close()


def notices_server(binary):
    notices.smtp = Refusing()
    return portal.Server(binary, ["--smtp-url", f"smtp://127.0.0.1:{notices.smtp.port}"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--motcua", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--screenshots")
    ap.add_argument("--only", help="run only the journey of this name")
    args = ap.parse_args()
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                    args=["--no-sandbox"])
        for journey in (whole_dossier, supplement_round, desk_intake, procedure_published,
                        new_staff_account, feedback_inbox, evaluation, notices):
            if args.only and journey.__name__ != args.only:
                continue
            server = notices_server(args.motcua) if journey is notices else portal.Server(args.motcua)
            try:
                print(f"== {journey.__name__}")
                journey(browser, server, args.screenshots)
            except Exception as e:  # a step that could not be done is a failure
                portal.FAILURES.append(f"{journey.__name__}: {e}")
                print("FAIL:", journey.__name__, e)
                for context in browser.contexts:
                    for open_page in context.pages:
                        print("  at", open_page.url, "showing:",
                              open_page.locator("main").inner_text()[:600].replace("\n", " | "))
                        open_page.close()
            finally:
                server.stop()
        browser.close()
    print(f"{len(portal.VISITED)} pages audited, {len(portal.FAILURES)} failure(s)")
    sys.exit(1 if portal.FAILURES else 0)


if __name__ == "__main__":
    main()
