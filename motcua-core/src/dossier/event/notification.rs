//! Notifications in the event format: who is to be told ([`Recipient`]), through which
//! channels ([`DeliveryChannel`]), and what. The engine adds the notices the law requires to
//! the events of the command that causes them; a procedure's scripts may ask for more. The
//! layer above delivers them (portal inbox, email, SMS).
//!
//! Event format 2 writes a notification as
//! `{"recipient": {"kind": "staff", "agency": "000.20.31.H53", "role": "agency-leader"},
//! "channels": ["portal", "email"], "message": "…"}`. Format 1 wrote the recipient as one
//! string (`applicant`, `staff:<agency>:<role>`, `oversight:<agency>:<role>`,
//! `contact:<contact>` or an account id) and the channels as free strings. A format-1
//! notification still reads: it is typed on the way in and remembers the text it was read
//! from, so that it serializes to the same bytes and its event's hash still verifies.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use crate::dossier::AgencyId;
use crate::procedure::Role;

/// Who a notification is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Recipient {
    /// The dossier's applicant (the contacts on the dossier, else the owner's account).
    Applicant,
    /// Staff holding `role` at `agency`.
    Staff {
        /// The agency.
        agency: AgencyId,
        /// The role.
        role: Role,
    },
    /// Staff holding `role` at `agency` or at any agency above it (oversight: a late
    /// consultation reported to the service center's head, Điều 14.3.c).
    Oversight {
        /// The agency the matter is at.
        agency: AgencyId,
        /// The role.
        role: Role,
    },
    /// One account.
    Account {
        /// The account's identifier.
        id: String,
    },
    /// Someone without an account who left a contact (an email address or a phone number).
    Contact {
        /// The contact as they gave it.
        contact: String,
    },
}

impl Recipient {
    /// Reads a recipient written as one string, as event format 1 and procedure scripts
    /// write it: `applicant`, `staff:<agency>:<role>`, `oversight:<agency>:<role>`,
    /// `contact:<contact>`, and anything else an account id. Never fails: a `staff:` or
    /// `oversight:` text whose agency or role does not parse is taken as an account id, as
    /// format 1 delivered it.
    pub fn from_text(text: &str) -> Recipient {
        if text == "applicant" {
            return Recipient::Applicant;
        }
        if let Some(contact) = text.strip_prefix("contact:") {
            return Recipient::Contact {
                contact: contact.to_string(),
            };
        }
        let mut parts = text.splitn(3, ':');
        if let (Some(scope @ ("staff" | "oversight")), Some(agency), Some(role)) =
            (parts.next(), parts.next(), parts.next())
            && let (Ok(agency), Some(role)) = (AgencyId::parse(agency), Role::parse(role))
        {
            return if scope == "staff" {
                Recipient::Staff { agency, role }
            } else {
                Recipient::Oversight { agency, role }
            };
        }
        Recipient::Account {
            id: text.to_string(),
        }
    }
}

/// The recipient as one string, in the form [`Recipient::from_text`] reads.
impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Applicant => f.write_str("applicant"),
            Recipient::Staff { agency, role } => write!(f, "staff:{agency}:{}", role.as_str()),
            Recipient::Oversight { agency, role } => {
                write!(f, "oversight:{agency}:{}", role.as_str())
            }
            Recipient::Account { id } => f.write_str(id),
            Recipient::Contact { contact } => write!(f, "contact:{contact}"),
        }
    }
}

/// A way of telling someone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryChannel {
    /// The inbox of the recipient's account on the portal.
    Portal,
    /// Email.
    Email,
    /// SMS.
    Sms,
}

impl DeliveryChannel {
    /// Every channel.
    pub const ALL: [DeliveryChannel; 3] = [
        DeliveryChannel::Portal,
        DeliveryChannel::Email,
        DeliveryChannel::Sms,
    ];

    /// The name used in files and scripts: `portal`, `email`, `sms`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryChannel::Portal => "portal",
            DeliveryChannel::Email => "email",
            DeliveryChannel::Sms => "sms",
        }
    }

    /// Reads a channel's name.
    pub fn parse(name: &str) -> Option<DeliveryChannel> {
        DeliveryChannel::ALL
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// A notification: who, through which channels, what (in Vietnamese).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    recipient: Recipient,
    channels: Vec<DeliveryChannel>,
    message: String,
    /// The format-1 text this was read from, kept so that it serializes to the same bytes.
    legacy: Option<Box<Legacy>>,
}

/// A notification as event format 1 wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Legacy {
    to: String,
    #[serde(default)]
    channels: Vec<String>,
    message: String,
}

/// A notification as event format 2 writes it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Current<R, C, M> {
    recipient: R,
    channels: C,
    message: M,
}

/// Why a notification written as text (by a script) cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotificationError {
    /// A channel other than `portal`, `email` and `sms`.
    #[error("unknown notification channel `{0}` (portal, email, sms)")]
    UnknownChannel(String),
    /// No channel at all.
    #[error("a notification needs at least one channel (portal, email, sms)")]
    NoChannel,
    /// An empty message.
    #[error("a notification needs a message")]
    EmptyMessage,
}

impl Notification {
    /// A notification to `recipient` through `channels` (each once, in the order given).
    pub fn new(
        recipient: Recipient,
        channels: impl IntoIterator<Item = DeliveryChannel>,
        message: impl Into<String>,
    ) -> Notification {
        let mut unique: Vec<DeliveryChannel> = Vec::new();
        for c in channels {
            if !unique.contains(&c) {
                unique.push(c);
            }
        }
        Notification {
            recipient,
            channels: unique,
            message: message.into(),
            legacy: None,
        }
    }

    /// A notification written as text, as procedure scripts write one: the recipient as
    /// [`Recipient::from_text`] reads it, the channels by name. Unknown channels, no
    /// channel or an empty message are errors.
    pub fn from_text(
        to: &str,
        channels: &[String],
        message: &str,
    ) -> Result<Notification, NotificationError> {
        let mut typed = Vec::new();
        for c in channels {
            typed.push(
                DeliveryChannel::parse(c)
                    .ok_or_else(|| NotificationError::UnknownChannel(c.clone()))?,
            );
        }
        if typed.is_empty() {
            return Err(NotificationError::NoChannel);
        }
        if message.trim().is_empty() {
            return Err(NotificationError::EmptyMessage);
        }
        Ok(Notification::new(Recipient::from_text(to), typed, message))
    }

    /// Who it is for.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// Through which channels.
    pub fn channels(&self) -> &[DeliveryChannel] {
        &self.channels
    }

    /// Whether it goes through `channel`.
    pub fn goes_through(&self, channel: DeliveryChannel) -> bool {
        self.channels.contains(&channel)
    }

    /// What it says, in Vietnamese.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether it was read from event format 1 (and serializes as format 1 wrote it).
    pub fn is_format_1(&self) -> bool {
        self.legacy.is_some()
    }

    fn from_legacy(legacy: Legacy) -> Notification {
        Notification {
            recipient: Recipient::from_text(&legacy.to),
            // Format 1 took any name; names it did not deliver through are left out of the
            // typed list, and kept in the text the notification serializes to.
            channels: legacy
                .channels
                .iter()
                .filter_map(|c| DeliveryChannel::parse(c))
                .collect(),
            message: legacy.message.clone(),
            legacy: Some(Box::new(legacy)),
        }
    }
}

impl Serialize for Notification {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.legacy {
            Some(legacy) => legacy.serialize(serializer),
            None => Current {
                recipient: &self.recipient,
                channels: &self.channels,
                message: &self.message,
            }
            .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Notification {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Current(Current<Recipient, Vec<DeliveryChannel>, String>),
            Legacy(Legacy),
        }
        match Wire::deserialize(deserializer)? {
            Wire::Current(c) => Ok(Notification::new(c.recipient, c.channels, c.message)),
            Wire::Legacy(l) => Ok(Notification::from_legacy(l)),
        }
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use super::Notification;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    impl utoipa::PartialSchema for Notification {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "A notification: `{recipient, channels, message}` (event format 2), or \
                     `{to, channels, message}` as event format 1 wrote it.",
                ))
                .into()
        }
    }

    impl utoipa::ToSchema for Notification {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency() -> AgencyId {
        AgencyId::parse("000.20.31.H53").expect("agency")
    }

    #[test]
    fn recipients_read_from_text_and_write_back() {
        for (text, typed) in [
            ("applicant", Recipient::Applicant),
            (
                "staff:000.20.31.H53:reception-officer",
                Recipient::Staff {
                    agency: agency(),
                    role: Role::ReceptionOfficer,
                },
            ),
            (
                "oversight:000.20.31.H53:supervisor",
                Recipient::Oversight {
                    agency: agency(),
                    role: Role::Supervisor,
                },
            ),
            (
                "contact:0912345678",
                Recipient::Contact {
                    contact: "0912345678".into(),
                },
            ),
            (
                "cb-nguyen",
                Recipient::Account {
                    id: "cb-nguyen".into(),
                },
            ),
        ] {
            assert_eq!(Recipient::from_text(text), typed, "{text}");
            assert_eq!(typed.to_string(), text);
        }
        // A staff text with a role that does not exist was an account id in format 1.
        assert_eq!(
            Recipient::from_text("staff:000.20.31.H53:cook"),
            Recipient::Account {
                id: "staff:000.20.31.H53:cook".into()
            }
        );
    }

    #[test]
    fn format_1_reads_typed_and_writes_back_the_same_bytes() {
        let text = r#"{"to":"applicant","channels":["portal","zalo","sms"],"message":"Hồ sơ đã được tiếp nhận."}"#;
        let n: Notification = serde_json::from_str(text).expect("format 1 reads");
        assert_eq!(n.recipient(), &Recipient::Applicant);
        assert_eq!(
            n.channels(),
            &[DeliveryChannel::Portal, DeliveryChannel::Sms]
        );
        assert!(n.is_format_1());
        assert_eq!(serde_json::to_string(&n).expect("writes"), text);
    }

    #[test]
    fn format_2_round_trips_and_refuses_unknown_channels() {
        let n = Notification::new(
            Recipient::Staff {
                agency: agency(),
                role: Role::AgencyLeader,
            },
            [
                DeliveryChannel::Portal,
                DeliveryChannel::Email,
                DeliveryChannel::Portal,
            ],
            "Có hồ sơ quá hạn.",
        );
        let text = serde_json::to_string(&n).expect("writes");
        assert_eq!(
            text,
            r#"{"recipient":{"kind":"staff","agency":"000.20.31.H53","role":"agency-leader"},"channels":["portal","email"],"message":"Có hồ sơ quá hạn."}"#
        );
        assert_eq!(
            serde_json::from_str::<Notification>(&text).expect("reads"),
            n
        );
        let bad = r#"{"recipient":{"kind":"applicant"},"channels":["zalo"],"message":"x"}"#;
        assert!(serde_json::from_str::<Notification>(bad).is_err());
        assert_eq!(
            Notification::from_text("applicant", &["fax".into()], "x"),
            Err(NotificationError::UnknownChannel("fax".into()))
        );
        assert_eq!(
            Notification::from_text("applicant", &[], "x"),
            Err(NotificationError::NoChannel)
        );
    }
}
