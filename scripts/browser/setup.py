#!/usr/bin/env python3
"""Browser journeys through the setting up of a province and the clock's hard cases, in a
real Chromium (Debian's, driven by Playwright for Python), with axe-core on every page.

    setup.py --motcua target/debug/motcua [--chromium /usr/bin/chromium] [--screenshots DIR]

- province_from_zero: `motcua init` on an empty database, `serve --no-demo`; the first
  administrator changes the one-time password, creates a commune, imports the catalogue,
  publishes a procedure with its own workflow, assigns both, creates the commune's staff,
  confirms next year's calendar, looks at the year; then an online dossier is carried by the
  new staff to the returned result, and the leader sees it in the monitoring.
- late_dossier: on the demo, with the server's clock injected (`serve --clock-start`): an
  extension asked for by the specialist and granted by the city's chairman; the
  server restarted weeks later, the dossier is overdue in the monitoring, and the desk
  apologises with a new appointment.

Fails (exit 1) on any step that does not behave and on any axe violation of impact serious
or critical.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal  # noqa: E402
from portal import check, audit, log_in  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PROVINCE = "000.00.00.H64"
COMMUNE = "000.31.01.H64"


class Server(portal.Server):
    """A motcua server on a database in `directory`, started with `extra` arguments; it
    can be stopped and started again on the same database."""

    def __init__(self, binary, directory=None, extra=()):  # noqa: D107 (no super().__init__)
        self.binary = binary
        self.dir = directory or tempfile.mkdtemp(prefix="motcua-browser-")
        self.extra = list(extra)
        self.start()

    def start(self, extra=None):
        if extra is not None:
            self.extra = list(extra)
        self.port = portal.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.out = open(os.path.join(self.dir, "serve.out"), "a")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--database", f"sqlite://{self.dir}/demo.db",
             "--addr", f"127.0.0.1:{self.port}", *self.extra],
            stdout=self.out, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=1)
                return
            except Exception:
                time.sleep(0.1)
        raise SystemExit("the server did not start")


def change_password(page, once, new):
    check(page.url.endswith("/doi-mat-khau"), "the first login asks for a new password")
    page.get_by_label("Mật khẩu hiện tại").fill(once)
    page.get_by_label("Mật khẩu mới").fill(new)
    with page.expect_navigation():
        page.get_by_role("button", name="Đổi mật khẩu").click()


def first_login(browser, server, login, once, new):
    page = browser.new_page()
    log_in(page, server, login, once, then="/can-bo")
    change_password(page, once, new)
    log_in(page, server, login, new, then="/can-bo")
    check(page.url.endswith("/can-bo"), f"{login}: after the change, the queue")
    return page


def province_from_zero(browser, motcua, shots):
    directory = tempfile.mkdtemp(prefix="motcua-init-")
    db = f"sqlite://{directory}/demo.db"
    out = subprocess.run(
        [motcua, "init", "--database", db, "--agency", PROVINCE,
         "--agency-name", "UBND tỉnh Hậu Giang", "--admin", "quan-tri.hg",
         "--admin-name", "Quản trị tỉnh Hậu Giang"],
        capture_output=True, text=True, check=True).stdout
    once = re.search(r"shown only now: (\S+)", out).group(1)
    check(len(once) >= 10, "motcua init printed the administrator's one-time password")
    server = Server(motcua, directory, ["--no-demo"])
    try:
        admin = first_login(browser, server, "quan-tri.hg", once, "vi-thanh-song-hau-64")
        check("Chưa có hồ sơ" in admin.locator("main").inner_text()
              or "0 hồ sơ" in admin.locator("main").inner_text()
              or admin.locator("table").count() == 0,
              "an empty system: nothing in the queue")
        # Agencies.
        admin.get_by_role("link", name="Cơ quan").click()
        audit(admin, "admin-agencies", shots)
        admin.get_by_label("Mã định danh cơ quan").fill(COMMUNE)
        admin.get_by_label("Tên cơ quan").fill("UBND phường Vị Tân")
        admin.get_by_label("Cấp", exact=True).select_option("commune")
        admin.get_by_label("Cơ quan cấp trên").select_option(PROVINCE)
        admin.get_by_label("Tên miền của trang một cửa (không bắt buộc)").fill("vitan.example")
        admin.get_by_label("Đường dây nóng").fill("abc")
        with admin.expect_navigation():
            admin.get_by_role("button", name="Thêm cơ quan").click()
        check("Đường dây nóng gồm 3–15 chữ số" in admin.locator(".error-summary").inner_text(),
              "a wrong hotline is said in the error summary, nothing saved")
        audit(admin, "admin-agencies-errors", shots)
        admin.get_by_label("Đường dây nóng").fill("0293 3870 000")
        admin.get_by_label("Địa chỉ").fill("Số 1 Trần Hưng Đạo, phường Vị Tân")
        with admin.expect_navigation():
            admin.get_by_role("button", name="Thêm cơ quan").click()
        check(f"Đã lưu cơ quan {COMMUNE}" in admin.locator("main").inner_text(), "the commune created")
        # The catalogue import, then a procedure with its own workflow.
        admin.goto(server.base + "/can-bo/thu-tuc")
        admin.get_by_label("Tệp danh mục (CSV hoặc JSON)").set_input_files(
            os.path.join(ROOT, "examples/catalogue/danh-muc-mau.csv"))
        with admin.expect_navigation():
            admin.get_by_role("button", name="Kiểm tra danh mục").click()
        check("3 thủ tục: 3 mới" in admin.locator("main").inner_text(), "the catalogue checked")
        audit(admin, "admin-import", shots)
        with admin.expect_navigation():
            admin.get_by_role("button", name="Nhập 3 thủ tục").click()
        check("Đã nhập danh mục: 3 thủ tục mới" in admin.locator("main").inner_text(), "imported")
        admin.get_by_label("Tệp thủ tục (TOML)").set_input_files(
            os.path.join(ROOT, "examples/procedures/khai-sinh.toml"))
        with admin.expect_navigation():
            admin.get_by_role("button", name="Kiểm tra", exact=True).click()
        with admin.expect_navigation():
            admin.get_by_role("button", name="Công bố phiên bản này").click()
        for code in ("1.001193", "1.001022"):
            admin.get_by_label("Thủ tục", exact=True).select_option(code)
            admin.get_by_label("Cơ quan tiếp nhận và giải quyết").select_option(COMMUNE)
            with admin.expect_navigation():
                admin.get_by_role("button", name="Giao thủ tục").click()
            check(f"Đã giao thủ tục {code}" in admin.locator("main").inner_text(), f"{code} assigned")
        check("Quy trình mặc định" in admin.locator("main").inner_text(),
              "imported procedures are marked as having the default workflow")
        audit(admin, "admin-procedures-imported", shots)
        # The commune's staff.
        admin.goto(server.base + f"/can-bo/tai-khoan?co-quan={COMMUNE}")
        passwords = {}
        for login, name, role in (("mot-cua.vitan", "Trần Văn Một", "Cán bộ tiếp nhận và trả kết quả"),
                                  ("chu-tich.vitan", "Lê Thị Chủ", "Lãnh đạo cơ quan")):
            admin.get_by_label("Tên đăng nhập").fill(login)
            admin.get_by_label("Họ và tên").fill(name)
            admin.get_by_label(role).check()
            with admin.expect_navigation():
                admin.get_by_role("button", name="Tạo tài khoản").click()
            passwords[login] = admin.locator(".notice code").inner_text()
        check("UBND phường Vị Tân" in admin.locator("main").inner_text(),
              "the accounts are the commune's")
        audit(admin, "admin-staff-commune", shots)
        # Next year's calendar, confirmed against the announcement.
        admin.goto(server.base + "/can-bo/lich?nam=2027")
        check("Đề xuất, chưa có thông báo chính thức" in admin.locator("main").inner_text(),
              "2027 is only proposed")
        audit(admin, "admin-calendar-proposed", shots)
        days = admin.get_by_label("Các ngày theo thông báo, mỗi dòng một ngày").input_value()
        admin.get_by_label("Các ngày theo thông báo, mỗi dòng một ngày").fill(
            days + "\n2027-02-20; làm bù; Làm bù ngày 10/02/2027")
        admin.get_by_label("Văn bản công bố").fill("Thông báo số 5000/TB-BNV (thử)")
        with admin.expect_navigation():
            admin.get_by_role("button", name="So sánh với lịch đang dùng").click()
        check("Thứ Bảy 20/02/2027" in admin.locator("main").inner_text(),
              "the difference with the proposal is shown before confirming")
        audit(admin, "admin-calendar-compare", shots)
        with admin.expect_navigation():
            admin.get_by_role("button", name="Xác nhận lịch năm 2027").click()
        body = admin.locator("main").inner_text()
        check("chờ áp dụng" in body and "Đề xuất, chưa có" in body,
              "the confirmed year waits to be applied; the calendar in force has not changed")
        with admin.expect_navigation():
            admin.get_by_role("link", name="Xem trước ảnh hưởng đến hồ sơ đang giải quyết, rồi áp dụng hoặc bỏ").click()
        check("Các năm nghỉ lễ đã xác nhận" in admin.locator("main").inner_text(),
              "the preview names the change")
        audit(admin, "admin-calendar-preview-year", shots)
        with admin.expect_navigation():
            admin.get_by_role("button", name="Áp dụng thay đổi lịch").click()
        admin.goto(server.base + "/can-bo/lich?nam=2027")
        body = admin.locator("main").inner_text()
        check("Thông báo số 5000/TB-BNV" in body and "Đề xuất, chưa có" not in body,
              "the year confirmed, with its announcement")
        audit(admin, "admin-calendar-confirmed", shots)
        admin.close()
        # A dossier from the portal to the result, by the new staff.
        citizen = server.citizen("tran-van-dan", "Trần Văn Dân")
        dossier = server.api("POST", "/dossiers", {
            "procedure": "1.001193", "agency": COMMUNE, "applicant": {"name": "Trần Văn Dân"},
            "form": {"ten_tre": "Trần Gia Bảo", "ngay_sinh": "01/12/2026"},
            "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}, citizen)["id"]
        desk = first_login(browser, server, "mot-cua.vitan", passwords["mot-cua.vitan"],
                           "nga-bay-phung-hiep-7")
        desk.goto(server.base + f"/can-bo/ho-so/{dossier}")
        from office import run_action  # noqa: E402 (the back office's helper)
        run_action(desk, "Tiếp nhận hồ sơ")
        check(f"{COMMUNE}-" in desk.locator("main").inner_text(), "accepted with the commune's code")
        run_action(desk, "Chuyển bước",
                   lambda box: box.get_by_label("Chuyển đến bước").select_option("ky"))
        leader = first_login(browser, server, "chu-tich.vitan", passwords["chu-tich.vitan"],
                             "cai-lon-cai-be-22")
        leader.goto(server.base + f"/can-bo/ho-so/{dossier}")
        run_action(leader, "Kết thúc xử lý")
        desk.reload()
        run_action(desk, "Trả kết quả")
        check("Đã trả kết quả" in desk.locator("main").inner_text(), "returned by the new desk")
        leader.goto(server.base + "/can-bo/theo-doi")
        body = leader.locator("main").inner_text()
        check("Hộ tịch" in body and "Tổng cộng" in body, "the leader's monitoring counts it")
        audit(leader, "office-monitor", shots)
        desk.close()
        leader.close()
    finally:
        server.stop()


def late_dossier(browser, motcua, shots):
    server = Server(motcua, extra=["--clock-start", "2026-12-07T09:00:00+07:00"])
    try:
        citizen = server.citizen("ho-van-sau", "Hồ Văn Sáu")
        dossier = server.api("POST", "/dossiers", {
            "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53",
            "applicant": {"name": "Hồ Văn Sáu"},
            "components": ["Giấy đề nghị đăng ký hộ kinh doanh"]}, citizen)["id"]
        desk = server.staff_token("mot-cua.tp", "cai-rang-noi-cho-1")
        head = server.staff_token("truong-phong.tp", "cai-rang-noi-cho-2")
        server.command(dossier, desk, "accept")
        server.command(dossier, desk, "forward", to="phan-cong")
        server.command(dossier, head, "forward", to="tham-dinh")
        specialist = first_login(browser, server, "chuyen-vien.tp",
                                 server.passwords()["chuyen-vien.tp"], "cai-rang-noi-cho-3")
        specialist.goto(server.base + f"/can-bo/ho-so/{dossier}")
        from office import run_action  # noqa: E402

        def ask(box):
            box.get_by_label("Lý do").fill("Cần xác minh địa điểm kinh doanh.")
            box.get_by_label("Thời gian gia hạn (ví dụ 5wd)").fill("2wd")
        run_action(specialist, "Đề nghị gia hạn", ask)
        check("Đã thực hiện: Đề nghị gia hạn" in specialist.locator("main").inner_text(),
              "the extension asked for")
        leader = first_login(browser, server, "chu-tich.tp",
                             server.passwords()["chu-tich.tp"], "cai-rang-noi-cho-5")
        leader.goto(server.base + f"/can-bo/ho-so/{dossier}")
        run_action(leader, "Duyệt gia hạn")
        body = leader.locator("main").inner_text()
        check("Đã thực hiện: Duyệt gia hạn" in body and "14/12/2026" in body,
              "the extension granted by the chairman: two working days more")
        audit(leader, "office-extended", shots)
        supervisor = first_login(browser, server, "giam-sat.ttpvhcc",
                                 server.passwords()["giam-sat.ttpvhcc"], "cai-rang-noi-cho-4")
        for p in (specialist, leader, supervisor):
            p.close()
        # Weeks later: the server's clock is past the new appointment.
        server.stop()
        server.start(["--clock-start", "2027-01-04T09:00:00+07:00"])
        supervisor = browser.new_page()
        log_in(supervisor, server, "giam-sat.ttpvhcc", "cai-rang-noi-cho-4", then="/can-bo/theo-doi")
        check("000.20.31.H53-" in supervisor.locator("main").inner_text().split("Hồ sơ quá hạn")[1],
              "the monitoring lists the dossier as overdue")
        audit(supervisor, "office-monitor-overdue", shots)
        page = browser.new_page()
        log_in(page, server, "mot-cua.tp", "cai-rang-noi-cho-1", then=f"/can-bo/ho-so/{dossier}")

        def apologise(box):
            box.get_by_label("Lý do chậm trễ").fill("Chờ kết quả xác minh của phường.")
            box.get_by_label("Ngày hẹn mới").fill("2027-01-08T15:00")
        run_action(page, "Xin lỗi và hẹn lại", apologise)
        body = page.locator("main").inner_text()
        check("Đã thực hiện: Xin lỗi và hẹn lại" in body and "08/01/2027" in body,
              "the apology with its new appointment")
        audit(page, "office-apologised", shots)
        supervisor.reload()
        check(dossier not in supervisor.content(), "no longer listed overdue after the new appointment")
        page.close()
        supervisor.close()
    finally:
        server.stop()


def agency_day_off(browser, motcua, shots):
    """A day off added to the city's calendar while two of its dossiers are in flight: saved as
    pending, previewed (the dossiers, their appointments from what to what, and why), applied;
    the dossiers' timelines then say their deadlines moved and why."""
    server = Server(motcua, extra=["--clock-start", "2026-12-07T09:00:00+07:00"])
    try:
        citizen = server.citizen("ho-van-bay", "Hồ Văn Bảy")
        desk = server.staff_token("mot-cua.tp", "cai-rang-noi-cho-1")
        dossiers = []
        for _ in range(2):
            d = server.api("POST", "/dossiers", {
                "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53",
                "applicant": {"name": "Hồ Văn Bảy"},
                "components": ["Giấy đề nghị đăng ký hộ kinh doanh"]}, citizen)["id"]
            server.command(d, desk, "accept")
            dossiers.append(d)
        # A question to the city the same hour: its answer is due in 3 working days too.
        server.api("POST", "/feedback", {
            "agency": "000.20.31.H53", "subject": "Giờ làm việc ngày lễ hội",
            "body": "Bộ phận một cửa có làm việc trong những ngày lễ hội không?"}, citizen)
        admin = first_login(browser, server, "quan-tri.he-thong",
                            server.passwords()["quan-tri.he-thong"], "cai-rang-noi-cho-9")
        admin.goto(server.base + "/can-bo/lich?nam=2026")
        admin.get_by_label("Lịch của").select_option("000.20.31.H53")
        with admin.expect_navigation():
            admin.get_by_role("button", name="Xem").click()
        check("Lịch riêng của UBND thành phố Sóc Trăng" in admin.locator("main").inner_text(),
              "the city's own calendar is shown")
        admin.get_by_label("Ngày", exact=True).fill("2026-12-09")
        admin.get_by_label("Tên", exact=True).first.fill("Nghỉ tổ chức lễ hội Oóc Om Bóc")
        admin.get_by_label("Căn cứ (văn bản quyết định)").fill("Quyết định 99/QĐ-UBND")
        with admin.expect_navigation():
            admin.get_by_role("button", name="Thêm ngày").click()
        body = admin.locator("main").inner_text()
        check("Có thay đổi chờ áp dụng" in body and "Lịch riêng của UBND thành phố Sóc Trăng" in body,
              "the day off waits to be applied")
        audit(admin, "admin-calendar-agency-pending", shots)
        with admin.expect_navigation():
            admin.get_by_role("link", name="Xem trước ảnh hưởng đến hồ sơ đang giải quyết, rồi áp dụng hoặc bỏ").click()
        body = admin.locator("main").inner_text()
        check("2 hồ sơ có thời hạn thay đổi" in body and "11/12/2026" in body
              and "Quyết định 99/QĐ-UBND" in body,
              "the preview: both dossiers, the appointment moved from Thursday to Friday, and why")
        check("1 phản ánh, kiến nghị chưa trả lời có hạn trả lời thay đổi" in body
              and "Giờ làm việc ngày lễ hội" in body,
              "the preview: the unanswered question's answer due moves too")
        audit(admin, "admin-calendar-preview", shots)
        with admin.expect_navigation():
            admin.get_by_role("button", name="Áp dụng thay đổi lịch").click()
        check("Đã áp dụng thay đổi lịch làm việc" in admin.locator("main").inner_text(),
              "the change applied")
        admin.close()
        page = browser.new_page()
        log_in(page, server, "mot-cua.tp", "cai-rang-noi-cho-1", then=f"/can-bo/ho-so/{dossiers[0]}")
        moved = False
        for _ in range(20):  # the job runs in the background after the change is applied
            body = page.locator("main").inner_text()
            if "11/12/2026" in body and "Quyết định 99/QĐ-UBND" in body:
                moved = True
                break
            time.sleep(0.25)
            page.reload()
        check(moved, "the dossier's appointment moved, and its timeline says why")
        audit(page, "office-reprojected", shots)
        page.close()
    finally:
        server.stop()


def procedure_migration(browser, motcua, shots):
    """A new version of a procedure published while a dossier waits at a step it renames:
    the dry run says the step needs a mapping; with it, the dossier is migrated, and its
    workspace says so."""
    server = Server(motcua, extra=["--clock-start", "2026-12-07T09:00:00+07:00"])
    try:
        citizen = server.citizen("ho-van-chin", "Hồ Văn Chín")
        dossier = server.api("POST", "/dossiers", {
            "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53",
            "applicant": {"name": "Hồ Văn Chín"},
            "components": ["Giấy đề nghị đăng ký hộ kinh doanh"]}, citizen)["id"]
        desk = server.staff_token("mot-cua.tp", "cai-rang-noi-cho-1")
        head = server.staff_token("truong-phong.tp", "cai-rang-noi-cho-2")
        server.command(dossier, desk, "accept")
        server.command(dossier, desk, "forward", to="phan-cong")
        server.command(dossier, head, "forward", to="tham-dinh")
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        text = open(os.path.join(root, "examples/procedures/ho-kinh-doanh.toml"), encoding="utf-8").read()
        text = text.replace('version = "2024.1"', 'version = "2025.1"').replace('"tham-dinh"', '"xem-xet"')
        v2 = os.path.join(server.dir, "ho-kinh-doanh-2025.toml")
        open(v2, "w", encoding="utf-8").write(text)
        admin = first_login(browser, server, "quan-tri.he-thong",
                            server.passwords()["quan-tri.he-thong"], "cai-rang-noi-cho-9")
        admin.goto(server.base + "/can-bo/thu-tuc")
        admin.get_by_label("Tệp thủ tục (TOML)").set_input_files(v2)
        with admin.expect_navigation():
            admin.get_by_role("button", name="Kiểm tra", exact=True).click()
        with admin.expect_navigation():
            admin.get_by_role("button", name="Công bố phiên bản này").click()
        with admin.expect_navigation():
            admin.get_by_role("link", name="Chuyển hồ sơ đang giải quyết sang phiên bản 2025.1").click()
        body = admin.locator("main").inner_text()
        check("Không chuyển được" in body and "tham-dinh" in body,
              "the dry run: the step the new version renamed needs a mapping")
        audit(admin, "admin-migrate-unmapped", shots)
        admin.get_by_label("Bước tương ứng, mỗi dòng một cặp bước-cũ=bước-mới").fill("tham-dinh=xem-xet")
        with admin.expect_navigation():
            admin.get_by_role("button", name="Xem trước").click()
        check("tham-dinh → xem-xet" in admin.locator("main").inner_text(), "the dry run with the mapping")
        audit(admin, "admin-migrate-dry-run", shots)
        with admin.expect_navigation():
            admin.get_by_role("button", name="Chuyển 1 hồ sơ sang phiên bản 2025.1").click()
        check("Đã chuyển 1 hồ sơ sang phiên bản 2025.1" in admin.locator("main").inner_text(),
              "migrated")
        admin.goto(server.base + f"/can-bo/ho-so/{dossier}")
        check("Chuyển sang quy trình mới của thủ tục" in admin.locator("main").inner_text(),
              "the workspace's timeline says so")
        audit(admin, "office-migrated", shots)
        admin.close()
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--motcua", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--screenshots")
    ap.add_argument("--only", help="run only this journey (by its function name)")
    args = ap.parse_args()
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                    args=["--no-sandbox"])
        for journey in (province_from_zero, late_dossier, agency_day_off, procedure_migration):
            if args.only and journey.__name__ != args.only:
                continue
            try:
                print(f"== {journey.__name__}")
                journey(browser, args.motcua, args.screenshots)
            except Exception as e:  # a step that could not be done is a failure
                portal.FAILURES.append(f"{journey.__name__}: {e}")
                print("FAIL:", journey.__name__, e)
                for context in browser.contexts:
                    for open_page in context.pages:
                        print("  at", open_page.url, "showing:",
                              open_page.locator("main").inner_text()[:800].replace("\n", " | "))
                        open_page.close()
        browser.close()
    print(f"{len(portal.VISITED)} pages audited, {len(portal.FAILURES)} failure(s)")
    sys.exit(1 if portal.FAILURES else 0)


if __name__ == "__main__":
    main()
