//! Checked text newtypes (an agency identifier, a procedure version): made only by their
//! `parse`, read as the text they are.

/// For a `struct $t(String)` with `fn parse(&str) -> Result<$t, $e>`: conversion from and to
/// `String` (serde's `try_from`/`into`), reading as a `&str` (`Deref`, `AsRef`, `Borrow`),
/// comparison with text both ways, `FromStr` and `Display`.
macro_rules! text_newtype {
    ($t:ident, $e:ty) => {
        impl TryFrom<String> for $t {
            type Error = $e;
            fn try_from(s: String) -> Result<Self, $e> {
                $t::parse(&s)
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }

        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $t {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$t> for String {
            fn eq(&self, other: &$t) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$t> for str {
            fn eq(&self, other: &$t) -> bool {
                self == other.0
            }
        }

        impl std::str::FromStr for $t {
            type Err = $e;
            fn from_str(s: &str) -> Result<$t, $e> {
                $t::parse(s)
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use text_newtype;
