//! Passwords: argon2id hashes, random one-time passwords and tokens, and the rule for an
//! acceptable password.
//!
//! The rule: 10 to 128 characters, not only spaces, no control characters, not containing
//! the login name or the person's name, and not guessable by the zxcvbn estimator (score 3
//! of 4 at least: more than about 10^8 guesses), which knows common passwords, repeats,
//! sequences, keyboard walks and dates, and is also given the login, the name and common
//! Vietnamese password words. zxcvbn was chosen over a shipped list of common passwords
//! because a list misses `aaaaaaaaaa`, `1234567890` and their many variants, which are the
//! passwords people actually choose.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use password_hash::rand_core::{OsRng, RngCore};

use crate::app::{AppError, Code};

/// Fewest characters of a password.
pub const MIN_CHARS: usize = 10;

/// What an acceptable password is, as the pages and error messages say it.
pub const RULE_VI: &str = "Mật khẩu cần từ 10 ký tự trở lên, không chỉ gồm khoảng trắng, không chứa ký tự điều khiển, không chứa tên đăng nhập hoặc họ tên, và không dễ đoán (tránh chữ lặp lại, dãy số, dãy phím, từ thông dụng như “password”, “matkhau”). Nên dùng vài từ ghép bằng dấu gạch, ví dụ: hoa-sen-no-muon-7.";

/// Words people use in Vietnamese passwords, given to the estimator as a dictionary.
const COMMON_VI: [&str; 12] = [
    "matkhau",
    "motcua",
    "dichvucong",
    "vietnam",
    "hanoi",
    "saigon",
    "soctrang",
    "anhyeuem",
    "emyeuanh",
    "iloveyou",
    "admin",
    "quantri",
];

fn weak(message: String) -> AppError {
    AppError::with(Code::WeakPassword, message)
}

/// Checks a new password for the account `id` of the person `name`.
pub fn check_password(password: &str, id: &str, name: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(weak(format!("Mật khẩu quá ngắn. {RULE_VI}")));
    }
    if n > crate::limits::PASSWORD_CHARS {
        return Err(weak(format!(
            "Mật khẩu dài quá {} ký tự.",
            crate::limits::PASSWORD_CHARS
        )));
    }
    if password.trim().is_empty() {
        return Err(weak(format!(
            "Mật khẩu không được chỉ gồm khoảng trắng. {RULE_VI}"
        )));
    }
    if password.chars().any(char::is_control) {
        return Err(weak(format!(
            "Mật khẩu không được chứa ký tự điều khiển. {RULE_VI}"
        )));
    }
    let folded = motcua_core::text::fold(password).replace(' ', "");
    let name_folded = motcua_core::text::fold(name).replace(' ', "");
    let id_folded = motcua_core::text::fold(id);
    if (id_folded.chars().count() >= 3 && folded.contains(&id_folded))
        || (name_folded.chars().count() >= 3 && folded.contains(&name_folded))
    {
        return Err(weak(format!(
            "Mật khẩu không được chứa tên đăng nhập hoặc họ tên. {RULE_VI}"
        )));
    }
    let mut inputs: Vec<&str> = COMMON_VI.to_vec();
    inputs.extend([id, name, id_folded.as_str(), name_folded.as_str()]);
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if (estimate.score() as u8) < 3 {
        return Err(weak(format!("Mật khẩu dễ đoán. {RULE_VI}")));
    }
    Ok(())
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::new(Code::Internal)
        })
}

/// Whether `password` matches the stored hash.
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing anyone knows, verified against when the account does not exist.
pub(crate) fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_hex(16)).unwrap_or_default())
}

/// A random one-time password or token, hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_people_guess_first() {
        let id = "tranthimai";
        let name = "Trần Thị Mai";
        for bad in [
            "aaaaaaaaaa",
            "1234567890",
            "password123",
            "tranthimai",
            "tranthimai2026",
            "TranThiMai!!",
            "          ",
            "\0\0\0\0\0\0\0\0\0\0",
            "matkhau123456",
            "qwertyuiop",
            "short",
        ] {
            let e = check_password(bad, id, name).expect_err(bad);
            assert_eq!(e.code, "weak_password", "{bad}");
            assert!(e.message.contains("Mật khẩu"), "{bad}: {}", e.message);
        }
        for good in ["mat-khau-dai-10", "hoa-sen-no-muon-7", "t4ng-thu-xanh-la"] {
            assert!(check_password(good, id, name).is_ok(), "{good}");
        }
    }
}
