//! The scoring tool of Circular 01/2018/TT-VPCP: nine indicators of 0–2 points each (18 in
//! all), for a dossier whose result was returned and for an agency over a period.
//!
//! Six indicators are read from the dossier itself ([`score`]): total time against the
//! limit (1), each unit's time against its allowance (2), the applicant's returns to complete
//! the dossier (3), the bodies the applicant had to contact (4), handling at the one-stop
//! desk (5) and staff attitude (7). The applicant's own answers on the rating form (3, 4, 7)
//! can lower these, never raise them. An agency's score ([`agency_score`]) averages them over
//! its returned dossiers and adds the three indicators that belong to the agency: feedback
//! answered on time (8) and online services (9), computed from its data, and publicity of
//! procedures (6), which only the service center can judge and enters. The service center
//! may also enter an appraised value for any indicator; the total uses the appraised value
//! where there is one. Every threshold and the classification bands are [`Rules`], which
//! deployments configure (the figures seen in one province are the defaults).
//!
//! ```
//! use motcua_core::evaluation::{agency_score, Inputs, Level, Rules, Tally};
//!
//! // Four dossiers returned in the quarter, one of them online.
//! let tally = Tally {
//!     dossiers: 4,
//!     sums: [7, 6, 8, 8, 4, 6],
//!     desk_decided: 0,
//!     online: 1,
//!     online_late: 0,
//!     ..Tally::default()
//! };
//! let inputs = Inputs { publicity: Some(2), ..Inputs::default() };
//! let s = agency_score(Level::District, &tally, &inputs, &Rules::default());
//! assert_eq!(s.indicators[0].points, Some(1.75)); // total time: (2 + 2 + 2 + 1) / 4
//! assert_eq!(s.indicators[5].points, Some(2.0)); // publicity, as entered
//! assert!(s.total.is_some());
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::calendar::Timeliness;
use crate::dossier::{Dossier, State};
use crate::procedure::Role;

/// The nine indicators' Vietnamese names, in the tool's order.
pub const INDICATORS: [&str; 9] = [
    "Tổng thời gian giải quyết so với thời gian quy định",
    "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết",
    "Số lần tổ chức, cá nhân phải liên hệ để hoàn thiện hồ sơ",
    "Số lượng cơ quan, đơn vị tổ chức, cá nhân phải liên hệ",
    "Tiếp nhận, giải quyết, trả kết quả tại Bộ phận một cửa",
    "Công khai thủ tục hành chính",
    "Thái độ của cán bộ, công chức, viên chức",
    "Tiếp thu, giải trình phản ánh, kiến nghị",
    "Cung cấp dịch vụ công trực tuyến",
];

/// The indicators a dossier carries, in points (0, 1 or 2): 1, 2, 3, 4, 5 and 7 of the tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DossierScore {
    /// 1: early 2, on the appointment day 1, late 0 (against the original appointment).
    pub total_time: u8,
    /// 2: every step and every consulted agency early 2, none late 1, any late 0.
    pub unit_time: u8,
    /// 3: supplement rounds not the applicant's fault: none 2, one 1, more 0.
    pub came_back: u8,
    /// 4: only the desk 2, the desk and a verification the law requires 1.
    pub bodies: u8,
    /// 5: decided by the desk itself 2, received and returned at the desk 1.
    pub desk: u8,
    /// 7: early 2, otherwise 1; 0 when the applicant reported harassment or trouble.
    pub attitude: u8,
}

impl DossierScore {
    /// The six values in the order of [`Tally::sums`].
    pub fn values(&self) -> [u8; 6] {
        [
            self.total_time,
            self.unit_time,
            self.came_back,
            self.bodies,
            self.desk,
            self.attitude,
        ]
    }
}

fn by_time(t: Timeliness) -> u8 {
    match t {
        Timeliness::Early => 2,
        Timeliness::OnTime => 1,
        Timeliness::Late => 0,
    }
}

fn lowered(points: u8, answer: Option<u8>) -> u8 {
    answer.map_or(points, |a| points.min(a.min(2)))
}

/// The score of a dossier whose result was returned; `None` for any other.
pub fn score(d: &Dossier) -> Option<DossierScore> {
    if d.state != State::Returned {
        return None;
    }
    let timeliness = d.timeliness?;
    let total_time = by_time(timeliness);

    // Each hand-over's result, and each consulted agency's answer against its deadline (an
    // answer never given counts late).
    let returned = d.closed_at;
    let mut steps: Vec<Timeliness> = d.slip.iter().filter_map(|r| r.result).collect();
    for c in &d.consultations {
        for a in &c.agencies {
            let late = match c.answers.get(a) {
                Some((_, late)) => *late,
                None => returned.is_none_or(|r| r > c.deadline),
            };
            steps.push(if late {
                Timeliness::Late
            } else {
                Timeliness::OnTime
            });
        }
    }
    let unit_time = if steps.is_empty() {
        total_time
    } else if steps.contains(&Timeliness::Late) {
        0
    } else if steps.iter().all(|t| *t == Timeliness::Early) {
        2
    } else {
        1
    };

    let rounds = d
        .supplement_rounds
        .saturating_sub(d.supplement_rounds_applicant_fault);
    let ind = &d.rating_indicators;
    let came_back = lowered(
        match rounds {
            0 => 2,
            1 => 1,
            _ => 0,
        },
        ind.came_back,
    );
    let bodies = lowered(
        if d.verifications.is_empty() { 2 } else { 1 },
        ind.bodies_contacted,
    );
    let desk = if !d.slip.is_empty() && d.slip.iter().all(|r| r.role == Role::ReceptionOfficer) {
        2
    } else {
        1
    };
    let attitude = lowered(
        if timeliness == Timeliness::Early {
            2
        } else {
            1
        },
        ind.attitude,
    );
    Some(DossierScore {
        total_time,
        unit_time,
        came_back,
        bodies,
        desk,
        attitude,
    })
}

/// What an agency's dossiers, feedback and catalogue add up to over a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// Dossiers whose result was returned in the period.
    pub dossiers: u64,
    /// Their points summed: indicators 1, 2, 3, 4, 5 and 7.
    pub sums: [u64; 6],
    /// Of them, decided by the desk itself.
    pub desk_decided: u64,
    /// Of them, received online.
    pub online: u64,
    /// Of the online ones, returned late.
    pub online_late: u64,
    /// Feedback due in the period.
    pub feedback_due: u64,
    /// Of it, answered by its due.
    pub feedback_on_time: u64,
    /// Feedback past its due and still unanswered when judged.
    pub feedback_overdue_open: u64,
    /// Procedures assigned to the agency.
    pub procedures: u64,
    /// Of them, those that may be submitted online (level 3/4, full or partial).
    pub procedures_online: u64,
}

impl Tally {
    /// Adds a dossier's score.
    pub fn add(&mut self, s: &DossierScore, online: bool) {
        self.dossiers += 1;
        for (sum, v) in self.sums.iter_mut().zip(s.values()) {
            *sum += u64::from(v);
        }
        if s.desk == 2 {
            self.desk_decided += 1;
        }
        if online {
            self.online += 1;
            if s.total_time == 0 {
                self.online_late += 1;
            }
        }
    }
}

/// What the service center enters for an agency and a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inputs {
    /// Indicator 6, publicity of procedures: 2 accurate and timely, posted and electronic; 1
    /// one of the two; 0 not properly published.
    #[serde(default)]
    pub publicity: Option<u8>,
    /// Complaints about staff attitude found true in the period; any makes indicator 7 zero.
    #[serde(default)]
    pub attitude_complaints: Option<u32>,
    /// Appraised points by indicator number (1–9), where the service center's appraisal
    /// differs from the self-assessment.
    #[serde(default)]
    pub appraised: BTreeMap<u8, u8>,
    /// A note.
    #[serde(default)]
    pub note: String,
}

impl Inputs {
    /// The problems with these inputs, in Vietnamese (empty when valid).
    pub fn problems(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.publicity.is_some_and(|p| p > 2) {
            v.push("Điểm công khai thủ tục phải từ 0 đến 2.".to_string());
        }
        for (i, p) in &self.appraised {
            if !(1..=9).contains(i) {
                v.push(format!(
                    "Không có chỉ số {i}: các chỉ số đánh số từ 1 đến 9."
                ));
            } else if *p > 2 {
                v.push(format!("Điểm thẩm định của chỉ số {i} phải từ 0 đến 2."));
            }
        }
        if self.note.chars().count() > 2000 {
            v.push("Ghi chú dài quá 2000 ký tự.".to_string());
        }
        v
    }
}

/// The level of an agency, for the desk-share threshold of indicator 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Level {
    /// Province (departments, the service center).
    Province,
    /// District.
    District,
    /// Commune.
    Commune,
}

/// A classification band: totals at or above `min` (above it when `exclusive`) get `label`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    /// The classification, in Vietnamese.
    pub label: String,
    /// The lower bound of the total.
    pub min: f64,
    /// Whether the bound itself belongs to the band below.
    #[serde(default)]
    pub exclusive: bool,
}

/// The thresholds of the tool and the classification, as configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rules {
    /// Indicator 5: the share (%) of dossiers the desk must decide itself for 2 points, by
    /// level: province, district, commune.
    pub desk_share: [f64; 3],
    /// Indicator 8: the share (%) answered on time for 1 point.
    pub feedback_one: f64,
    /// Indicator 9: for 2 points, the share (%) of procedures offered online and of dossiers
    /// received online; for 1 point, the share of dossiers online (with some procedure
    /// online). Any online dossier late gives 0.
    pub online_procedures_two: f64,
    /// See `online_procedures_two`.
    pub online_dossiers_two: f64,
    /// See `online_procedures_two`.
    pub online_dossiers_one: f64,
    /// Classification, highest first.
    pub bands: Vec<Band>,
}

impl Default for Rules {
    /// The figures of DOCUMENTS.md §5 (seen in one province; unconfirmed).
    fn default() -> Rules {
        let band = |label: &str, min: f64, exclusive: bool| Band {
            label: label.to_string(),
            min,
            exclusive,
        };
        Rules {
            desk_share: [20.0, 50.0, 100.0],
            feedback_one: 90.0,
            online_procedures_two: 20.0,
            online_dossiers_two: 30.0,
            online_dossiers_one: 15.0,
            bands: vec![
                band("Xuất sắc", 15.0, true),
                band("Tốt", 12.0, false),
                band("Khá", 9.0, false),
                band("Trung bình", 6.0, false),
                band("Yếu", 0.0, false),
            ],
        }
    }
}

impl Rules {
    /// The problems with these rules, in Vietnamese (empty when valid).
    pub fn problems(&self) -> Vec<String> {
        let mut v = Vec::new();
        let pct = [
            (
                "Tỷ lệ giải quyết tại Bộ phận một cửa cấp tỉnh",
                self.desk_share[0],
            ),
            (
                "Tỷ lệ giải quyết tại Bộ phận một cửa cấp huyện",
                self.desk_share[1],
            ),
            (
                "Tỷ lệ giải quyết tại Bộ phận một cửa cấp xã",
                self.desk_share[2],
            ),
            ("Tỷ lệ trả lời phản ánh đúng hạn", self.feedback_one),
            ("Tỷ lệ thủ tục trực tuyến", self.online_procedures_two),
            ("Tỷ lệ hồ sơ trực tuyến (2 điểm)", self.online_dossiers_two),
            ("Tỷ lệ hồ sơ trực tuyến (1 điểm)", self.online_dossiers_one),
        ];
        for (name, p) in pct {
            if !(0.0..=100.0).contains(&p) {
                v.push(format!("{name} phải từ 0 đến 100 %."));
            }
        }
        if self.bands.is_empty() {
            v.push("Cần ít nhất một mức xếp loại.".to_string());
        }
        for w in self.bands.windows(2) {
            if w[1].min > w[0].min {
                v.push(format!(
                    "Các mức xếp loại phải theo thứ tự điểm giảm dần (“{}” sau “{}”).",
                    w[1].label, w[0].label
                ));
            }
        }
        for b in &self.bands {
            if b.label.trim().is_empty() {
                v.push("Mỗi mức xếp loại cần có tên.".to_string());
            }
            if !(0.0..=18.0).contains(&b.min) {
                v.push(format!("Điểm sàn của mức “{}” phải từ 0 đến 18.", b.label));
            }
        }
        v
    }

    /// The band a total falls in.
    pub fn classify(&self, total: f64) -> Option<&str> {
        self.bands
            .iter()
            .find(|b| {
                if b.exclusive {
                    total > b.min
                } else {
                    total >= b.min
                }
            })
            .map(|b| b.label.as_str())
    }
}

/// One indicator of an agency's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    /// 1 to 9.
    pub number: u8,
    /// Its name.
    pub name: String,
    /// Self-assessed points (two decimals), from the system's data and the entries; `None`
    /// when there is nothing to judge it by.
    pub points: Option<f64>,
    /// The service center's appraisal, when entered.
    pub appraised: Option<f64>,
    /// How it was found, in Vietnamese.
    pub basis: String,
}

impl Indicator {
    /// The points counted in the total: the appraisal where there is one.
    pub fn counted(&self) -> Option<f64> {
        self.appraised.or(self.points)
    }
}

/// An agency's score over a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyScore {
    /// The nine indicators.
    pub indicators: Vec<Indicator>,
    /// The total out of 18 (two decimals), when every indicator has points.
    pub total: Option<f64>,
    /// Its band.
    pub classification: Option<String>,
    /// The indicators that still lack points.
    pub missing: Vec<u8>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A share written the Vietnamese way, one decimal after a comma: `12,5`.
fn vi(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Scores an agency from its tally, the service center's inputs and the rules.
pub fn agency_score(level: Level, t: &Tally, inputs: &Inputs, rules: &Rules) -> AgencyScore {
    let n = t.dossiers;
    let mean = |i: usize| (n > 0).then(|| round2(t.sums[i] as f64 / n as f64));
    let none = "Không có hồ sơ trả kết quả trong kỳ.".to_string();
    let of_dossiers = |what: &str| {
        if n == 0 {
            none.clone()
        } else {
            format!("Trung bình của {n} hồ sơ đã trả kết quả trong kỳ ({what}).")
        }
    };

    let mut points: Vec<(Option<f64>, String)> = vec![
        (mean(0), of_dossiers("so với ngày hẹn trả theo quy định")),
        (
            mean(1),
            of_dossiers("từng bước và từng cơ quan được xin ý kiến"),
        ),
        (
            mean(2),
            of_dossiers("số lần bổ sung không do lỗi của người nộp, và ý kiến của người nộp"),
        ),
        (
            mean(3),
            of_dossiers("xác minh thực địa theo quy định, và ý kiến của người nộp"),
        ),
    ];

    // 5: the share the desk decided itself.
    let idx = match level {
        Level::Province => 0,
        Level::District => 1,
        Level::Commune => 2,
    };
    let share = pct(t.desk_decided, n);
    points.push(if n == 0 {
        (None, none.clone())
    } else if share >= rules.desk_share[idx] {
        (
            Some(2.0),
            format!(
                "Bộ phận một cửa tự thẩm định, quyết định {} % hồ sơ (mức 2 điểm: từ {} %).",
                vi(share),
                vi(rules.desk_share[idx])
            ),
        )
    } else {
        (
            Some(1.0),
            format!(
                "Mọi hồ sơ được tiếp nhận và trả kết quả tại Bộ phận một cửa; Bộ phận tự quyết định {} % (mức 2 điểm: từ {} %).",
                vi(share),
                vi(rules.desk_share[idx])
            ),
        )
    });

    // 6: entered.
    points.push(match inputs.publicity {
        Some(p) => (
            Some(f64::from(p)),
            "Do Trung tâm Phục vụ hành chính công đánh giá.".to_string(),
        ),
        None => (
            None,
            "Chưa nhập: Trung tâm Phục vụ hành chính công đánh giá việc công khai.".to_string(),
        ),
    });

    // 7: the dossiers' mean, unless a complaint was found true.
    points.push(match inputs.attitude_complaints {
        Some(c) if c > 0 => (
            Some(0.0),
            format!("Có {c} phản ánh về thái độ được xác minh đúng."),
        ),
        Some(_) => (
            mean(5),
            of_dossiers("đúng hẹn, sớm hẹn; không có phản ánh về thái độ"),
        ),
        None => (
            mean(5),
            of_dossiers("sớm hẹn, đúng hẹn và ý kiến của người nộp; số phản ánh chưa nhập"),
        ),
    });

    // 8: feedback answered on time.
    let on_time = pct(t.feedback_on_time, t.feedback_due);
    points.push(if t.feedback_due == 0 && t.feedback_overdue_open == 0 {
        (
            Some(2.0),
            "Không có phản ánh, kiến nghị đến hạn trong kỳ.".to_string(),
        )
    } else if t.feedback_overdue_open == 0 && t.feedback_on_time == t.feedback_due {
        (
            Some(2.0),
            format!(
                "{} phản ánh đến hạn, trả lời đúng hạn 100 %.",
                t.feedback_due
            ),
        )
    } else if t.feedback_overdue_open == 0 && on_time >= rules.feedback_one {
        (
            Some(1.0),
            format!(
                "{} phản ánh đến hạn, trả lời đúng hạn {} %.",
                t.feedback_due,
                vi(on_time)
            ),
        )
    } else {
        (
            Some(0.0),
            format!(
                "{} phản ánh đến hạn, trả lời đúng hạn {} %; {} quá hạn chưa trả lời.",
                t.feedback_due,
                vi(on_time),
                t.feedback_overdue_open
            ),
        )
    });

    // 9: online services.
    let procs = pct(t.procedures_online, t.procedures);
    let online = pct(t.online, n);
    let facts = format!(
        "{}/{} thủ tục nộp trực tuyến được ({} %); {} % hồ sơ trực tuyến; {} hồ sơ trực tuyến trễ hạn.",
        t.procedures_online,
        t.procedures,
        vi(procs),
        vi(online),
        t.online_late
    );
    points.push(if n == 0 {
        (None, none.clone())
    } else if t.online_late == 0
        && procs >= rules.online_procedures_two
        && online >= rules.online_dossiers_two
    {
        (Some(2.0), facts)
    } else if t.online_late == 0 && t.procedures_online > 0 && online >= rules.online_dossiers_one {
        (Some(1.0), facts)
    } else {
        (Some(0.0), facts)
    });

    let indicators: Vec<Indicator> = points
        .into_iter()
        .zip(INDICATORS)
        .enumerate()
        .map(|(i, ((points, basis), name))| {
            let number = i as u8 + 1;
            Indicator {
                number,
                name: name.to_string(),
                points,
                appraised: inputs.appraised.get(&number).map(|p| f64::from(*p)),
                basis,
            }
        })
        .collect();
    let missing: Vec<u8> = indicators
        .iter()
        .filter(|i| i.counted().is_none())
        .map(|i| i.number)
        .collect();
    let total = missing
        .is_empty()
        .then(|| round2(indicators.iter().filter_map(Indicator::counted).sum()));
    AgencyScore {
        classification: total.and_then(|t| rules.classify(t)).map(str::to_string),
        indicators,
        total,
        missing,
    }
}
