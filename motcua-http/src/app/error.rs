//! The one catalogue of errors the application answers: each with its stable `code`, HTTP
//! status, Vietnamese message (the default; a use case may give a more specific one) and
//! English text for the log. Engine refusals map onto it by their code. `docs/api.md` lists
//! the catalogue (a test checks the table against [`Code::ALL`]).

use motcua_core::dossier::Rejection;
use motcua_store::StoreError;

macro_rules! catalogue {
    ($($variant:ident = $code:literal, $status:literal, $vi:literal, $en:literal;)*) => {
        /// Every error the application can answer.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = $en]
                $variant,
            )*
        }

        impl Code {
            /// The whole catalogue, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable snake_case code clients match on.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// The HTTP status it is answered with.
            pub fn status(self) -> u16 {
                match self { $(Code::$variant => $status),* }
            }

            /// The default message, in Vietnamese.
            pub fn message_vi(self) -> &'static str {
                match self { $(Code::$variant => $vi),* }
            }

            /// What it means, in English, for logs and documentation.
            pub fn meaning_en(self) -> &'static str {
                match self { $(Code::$variant => $en),* }
            }

            /// The code with this name.
            pub fn parse(code: &str) -> Option<Code> {
                match code { $($code => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

catalogue! {
    // Requests that cannot be read.
    InvalidQuery = "invalid_query", 400, "Tham số truy vấn không hợp lệ.", "a query parameter is missing or malformed";
    InvalidBody = "invalid_body", 400, "Nội dung yêu cầu không hợp lệ.", "the body is not JSON of the expected shape";
    InvalidPath = "invalid_path", 400, "Địa chỉ không hợp lệ.", "the path is malformed";
    TooLong = "too_long", 400, "Một trường vượt quá độ dài cho phép.", "a string is longer than its limit";
    TooManyItems = "too_many_items", 400, "Một danh sách có quá nhiều mục.", "a list has more items than its limit";
    TooManyKeys = "too_many_keys", 400, "Một trường có quá nhiều khóa.", "an object has more keys than its limit";
    TooManyFiles = "too_many_files", 400, "Gửi quá nhiều tệp trong một lần.", "more files than one request may carry";
    TooLarge = "too_large", 413, "Nội dung yêu cầu quá lớn.", "the body is larger than its limit";
    FileTooLarge = "file_too_large", 413, "Tệp vượt quá dung lượng cho phép.", "a file is larger than its limit";
    UnsupportedType = "unsupported_type", 415, "Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG.", "a file is not PDF, JPEG or PNG by its content";
    TypeMismatch = "type_mismatch", 415, "Nội dung tệp không khớp với loại tệp đã khai.", "a file's content does not match its declared type";
    // Values that are not what they must be.
    InvalidDate = "invalid_date", 400, "Ngày phải có dạng YYYY-MM-DD.", "a date is not YYYY-MM-DD";
    InvalidPeriod = "invalid_period", 400, "Ngày kết thúc không được trước ngày bắt đầu.", "a period ends before it starts";
    InvalidTemplate = "invalid_template", 400, "Mẫu thông báo không hợp lệ.", "a notice template with an unknown kind or placeholder, or empty or too long";
    InvalidEvaluation = "invalid_evaluation", 400, "Dữ liệu đánh giá không hợp lệ.", "scoring inputs or rules outside their bounds";
    InvalidFormat = "invalid_format", 400, "Định dạng không được hỗ trợ.", "an export format that is not offered";
    InvalidYear = "invalid_year", 400, "Năm không hợp lệ.", "a year is not a number";
    YearOutOfRange = "year_out_of_range", 400, "Năm nằm ngoài phạm vi lịch (1970–2199).", "a year outside the calendar's range";
    InvalidInstant = "invalid_instant", 400, "Thời điểm không đúng dạng RFC 3339.", "an instant is not RFC 3339";
    InvalidDuration = "invalid_duration", 400, "Thời hạn phải là số nguyên kèm đơn vị m, wh, wd hoặc cd.", "a duration is not a number with a unit";
    InvalidCutoff = "invalid_cutoff", 400, "Giờ chốt phải có dạng HH:MM.", "a cut-off time is not HH:MM";
    OutOfRange = "out_of_range", 400, "Thời điểm nằm ngoài phạm vi lịch.", "an instant outside the calendar's range";
    InvalidCursor = "invalid_cursor", 400, "Con trỏ phải là số nguyên.", "a feed cursor is not an integer";
    InvalidLevel = "invalid_level", 400, "Cấp cơ quan phải là province, district hoặc commune.", "an agency level that does not exist";
    InvalidServiceLevel = "invalid_service_level", 400, "Mức độ dịch vụ công là 1–4, hoặc full, partial, none.", "a service level that does not exist";
    InvalidCode = "invalid_code", 400, "Mã hồ sơ không đúng dạng (ví dụ 000.00.12.H53-260302-0001).", "a dossier code that is not well formed";
    InvalidChannel = "invalid_channel", 400, "Kênh nộp hồ sơ không phù hợp với người nộp.", "applicants submit online; staff register desk and post dossiers";
    InvalidAccountId = "invalid_account_id", 400, "Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, dấu chấm, gạch ngang hoặc gạch dưới.", "a login name that is not well formed";
    InvalidEmail = "invalid_email", 400, "Địa chỉ thư điện tử không hợp lệ.", "an email address that is not well formed";
    InvalidPhone = "invalid_phone", 400, "Số điện thoại gồm 8–15 chữ số.", "a phone number that is not well formed";
    MissingName = "missing_name", 400, "Cần nhập họ tên.", "a name is empty";
    MissingAgency = "missing_agency", 400, "Cần chọn cơ quan tiếp nhận.", "no agency named and none from the site";
    MissingRoles = "missing_roles", 400, "Cần ít nhất một vai trò.", "a staff account without roles";
    WeakPassword = "weak_password", 400, "Mật khẩu chưa đủ mạnh.", "a password that breaks the password rule";
    SamePassword = "same_password", 400, "Mật khẩu mới phải khác mật khẩu cũ.", "the new password is the old one";
    UnknownAgency = "unknown_agency", 400, "Không có cơ quan này.", "an agency id that does not exist";
    UnknownProcedure = "unknown_procedure", 400, "Không có thủ tục này.", "a procedure code that does not exist";
    NotHandledHere = "not_handled_here", 400, "Cơ quan này không tiếp nhận thủ tục này.", "the procedure is not assigned to the agency";
    UnknownRole = "unknown_role", 400, "Không có vai trò này.", "a role name that does not exist";
    UnknownDossier = "unknown_dossier", 400, "Không tìm thấy hồ sơ được nêu.", "a dossier named in a body that the user cannot see";
    UnknownCommand = "unknown_command", 400, "Không có thao tác này.", "a command name that does not exist";
    // Who you are and what you may do.
    Unauthenticated = "unauthenticated", 401, "Cần đăng nhập.", "no session, or an expired one";
    WrongCredentials = "wrong_credentials", 401, "Tên đăng nhập hoặc mật khẩu không đúng.", "login name or password wrong";
    WrongPassword = "wrong_password", 403, "Mật khẩu hiện tại không đúng.", "the current password given to change it is wrong";
    PasswordChangeRequired = "password_change_required", 403, "Cần đổi mật khẩu trước khi tiếp tục (lần đăng nhập đầu tiên).", "a first-login password change is due";
    CsrfTokenMissing = "csrf_token_missing", 403, "Thiếu mã chống giả mạo yêu cầu.", "a cookie-authenticated change without the CSRF token";
    CsrfTokenInvalid = "csrf_token_invalid", 403, "Mã chống giả mạo yêu cầu không đúng.", "a CSRF token that is not the session's";
    Forbidden = "forbidden", 403, "Không có quyền thực hiện thao tác này.", "the user may not do this";
    AccountDeactivated = "account_deactivated", 403, "Tài khoản đã bị ngừng sử dụng; liên hệ quản trị của cơ quan.", "the account was deactivated by an administrator";
    AccountOfAnotherAgency = "account_of_another_agency", 403, "Tài khoản này thuộc cơ quan khác.", "an administrator acting on another agency's account";
    // What is not there.
    NotFound = "not_found", 404, "Không tìm thấy.", "nothing at this address, or nothing the user may see";
    UnknownTenant = "unknown_tenant", 404, "Không có cơ quan này.", "a /t/{agency} prefix naming no agency";
    TenantMismatch = "tenant_mismatch", 400, "Tên miền và đường dẫn chỉ hai cơ quan khác nhau.", "the host name and the /t/ prefix name different agencies";
    NoTenant = "no_tenant", 404, "Địa chỉ này không thuộc cơ quan nào; dùng tên miền của cơ quan hoặc /t/{mã cơ quan}.", "the request names no agency";
    UnknownForm = "unknown_form", 404, "Bộ biểu mẫu áp dụng cho hồ sơ này không có biểu mẫu này.", "the dossier's form pack has no form of that key";
    FeedDisabled = "feed_disabled", 404, "Nguồn dữ liệu tích hợp chưa được bật trên máy chủ này.", "the national feed has no token configured";
    SmsInboundDisabled = "sms_inbound_disabled", 404, "Tra cứu qua tin nhắn chưa được bật trên máy chủ này.", "no SMS inbound token configured";
    // State that conflicts.
    Conflict = "conflict", 409, "Dữ liệu vừa được thay đổi; vui lòng tải lại và thử lại.", "a concurrent change, or a stale expected_version";
    AccountExists = "account_exists", 409, "Tên đăng nhập đã được dùng.", "an account with this login name exists";
    FormNotApplicable = "form_not_applicable", 409, "Hồ sơ chưa có nội dung của biểu mẫu này (ví dụ: chưa tiếp nhận thì chưa có giấy tiếp nhận, chưa từ chối thì chưa có phiếu từ chối).", "the dossier has not reached what the form prints";
    AlreadyAnswered = "already_answered", 409, "Phản ánh đã được trả lời.", "feedback answered before";
    // Too often.
    TooManyAttempts = "too_many_attempts", 429, "Đăng nhập sai nhiều lần; vui lòng thử lại sau.", "failed logins held back";
    TooManySubmissions = "too_many_submissions", 429, "Nộp quá nhiều hồ sơ trong một giờ; vui lòng thử lại sau.", "online submissions held back";
    TooManyLookups = "too_many_lookups", 429, "Tra cứu qua tin nhắn quá nhiều lần từ số điện thoại này; vui lòng thử lại sau một giờ.", "SMS lookups held back for a phone number";
    TooManyRegistrations = "too_many_registrations", 429, "Quá nhiều lần đăng ký từ địa chỉ này; vui lòng thử lại sau một giờ.", "registrations held back";
    // The engine's refusals (the dossier is unchanged).
    Incomplete = "incomplete", 422, "Hồ sơ còn thiếu thành phần hoặc thông tin bắt buộc.", "an online dossier lacks required components or form fields";
    MissingField = "missing_field", 422, "Còn thiếu thông tin bắt buộc.", "a required field of a command is empty";
    WrongState = "wrong_state", 422, "Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.", "the command is not allowed in the dossier's state";
    Closed = "closed", 422, "Hồ sơ đã kết thúc; chỉ có thể đánh giá.", "the dossier is closed";
    WrongProcedure = "wrong_procedure", 422, "Hồ sơ không thuộc thủ tục này.", "the dossier follows another procedure or version than the one named";
    SameVersion = "same_version", 422, "Hồ sơ đã theo phiên bản này.", "the dossier already follows the version to migrate to";
    UnknownStep = "unknown_step", 422, "Phiên bản mới không có bước này.", "a step mapping names a step the new version does not have";
    UnmappedStep = "unmapped_step", 422, "Bước hiện tại của hồ sơ không còn trong phiên bản mới; cần chỉ định bước tương ứng.", "the dossier's step is not in the new version and no mapping names it";
    UnknownVersion = "unknown_version", 422, "Không có phiên bản thủ tục hoặc lịch làm việc của hồ sơ.", "the dossier's procedure version or its agency's calendar is not known";
    NoStep = "no_step", 422, "Hồ sơ chưa ở bước xử lý nào.", "the dossier is at no workflow step";
    NoSuchTransition = "no_such_transition", 422, "Quy trình không cho phép chuyển bước như vậy.", "the workflow has no such transition";
    NotAnEndStep = "not_an_end_step", 422, "Chỉ kết thúc xử lý ở bước cuối của quy trình.", "processing can only finish at an end step";
    MissingResult = "missing_result", 422, "Chưa có kết quả để thực hiện thao tác này.", "no draft or signed result yet";
    Duplicate = "duplicate", 422, "Việc này đã được thực hiện.", "the thing was done before (rating, consultation id, pending request)";
    NothingPending = "nothing_pending", 422, "Không có đề nghị nào đang chờ.", "no pending extension or withdrawal request";
    NoCalendarChange = "no_calendar_change", 422, "Không có thay đổi lịch làm việc nào chờ áp dụng.", "no calendar version is pending";
    UnknownConsultation = "unknown_consultation", 422, "Không có đợt lấy ý kiến này.", "no such consultation, or the agency was not consulted";
    UnknownComponent = "unknown_component", 422, "Thủ tục không có thành phần hồ sơ này.", "a component name the procedure does not have";
    InvalidAttachment = "invalid_attachment", 422, "Tệp đính kèm không hợp lệ.", "a file reference that is not a SHA-256";
    InvalidDeadline = "invalid_deadline", 422, "Hạn trả lời phải sau thời điểm hiện tại.", "a consultation deadline in the past";
    InvalidAmount = "invalid_amount", 422, "Số tiền phải lớn hơn 0.", "a payment amount of zero";
    InvalidScore = "invalid_score", 422, "Mức đánh giá từ 1 đến 5.", "a rating outside 1-5";
    InvalidAgency = "invalid_agency", 422, "Mã cơ quan không hợp lệ.", "an agency id that cannot make a dossier code";
    InvalidSequence = "invalid_sequence", 422, "Số thứ tự hồ sơ không hợp lệ.", "a day's dossier counter out of range";
    DeniedByRule = "denied_by_rule", 422, "Quy tắc của thủ tục không cho phép thao tác này.", "the procedure's script refused";
    ScriptFailed = "script_failed", 422, "Quy tắc của thủ tục không thực hiện được; hồ sơ không thay đổi.", "the procedure's script failed";
    CalendarError = "calendar_error", 422, "Không tính được thời hạn theo lịch làm việc.", "the working calendar cannot answer";
    // Ours.
    Internal = "internal", 500, "Hệ thống gặp sự cố; vui lòng thử lại sau.", "a failure of the server or the database (logged)";
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An error answer: a code from the catalogue, a Vietnamese message for people (the code's
/// default unless a use case says more), and, for refusals, what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// The catalogue entry.
    pub code: Code,
    /// For people, in Vietnamese.
    pub message: String,
    /// What is missing, one item each (for `incomplete`).
    pub missing: Vec<String>,
}

impl AppError {
    /// The code with its default message.
    pub fn new(code: Code) -> AppError {
        AppError {
            code,
            message: code.message_vi().to_string(),
            missing: Vec::new(),
        }
    }

    /// The code with a more specific Vietnamese message.
    pub fn with(code: Code, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            missing: Vec::new(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// A 404 that does not say whether the thing exists for someone else.
    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::with(Code::NotFound, message)
    }

    /// A 403.
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::with(Code::Forbidden, message)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.code.meaning_en())
    }
}

impl std::error::Error for AppError {}

impl From<Rejection> for AppError {
    fn from(r: Rejection) -> AppError {
        tracing::info!(code = %r.code, reason = %r.message_en, "command refused");
        let code = Code::parse(&r.code).unwrap_or_else(|| {
            tracing::error!(code = %r.code, "an engine refusal code missing from the catalogue");
            Code::DeniedByRule
        });
        AppError {
            code,
            message: r.message_vi,
            missing: r.missing,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound(_) => AppError::new(Code::NotFound),
            StoreError::Conflict(what) => {
                tracing::info!(%what, "conflict");
                AppError::new(Code::Conflict)
            }
            StoreError::Rejected(r) => r.into(),
            StoreError::TooLarge { limit, .. } => AppError::with(
                Code::FileTooLarge,
                format!("Tệp vượt quá giới hạn {limit} byte."),
            ),
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::new(Code::Internal)
            }
        }
    }
}
