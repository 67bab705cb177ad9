//! The statistics table of DOMAIN.md section 9 (form 06/VPCP/KSTT), by field, with the
//! definition of every column (docs/statistics.md says the same in English).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

use crate::{Store, StoreError, micros};

/// One column of the table: its key (the JSON field), its Vietnamese header and its exact
/// definition, shown with every report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Column {
    /// The field of [`FieldStats`] (and of the JSON report).
    pub key: &'static str,
    /// The header, as on the official form where the form has the column.
    pub header_vi: &'static str,
    /// What is counted, in Vietnamese.
    pub definition_vi: &'static str,
}

/// The columns of the table, in the order of the official form (then the extra counts).
pub const COLUMNS: &[Column] = &[
    Column {
        key: "carried_over",
        header_vi: "Số hồ sơ nhận giải quyết - Kỳ trước chuyển qua",
        definition_vi: "Hồ sơ đã tiếp nhận trước ngày đầu kỳ và chưa kết thúc vào đầu kỳ.",
    },
    Column {
        key: "new_online",
        header_vi: "Số hồ sơ nhận giải quyết - Mới tiếp nhận trực tuyến",
        definition_vi: "Hồ sơ nộp trực tuyến được tiếp nhận (cấp mã hồ sơ) trong kỳ.",
    },
    Column {
        key: "new_direct_or_post",
        header_vi: "Số hồ sơ nhận giải quyết - Mới tiếp nhận trực tiếp hoặc qua dịch vụ bưu chính",
        definition_vi: "Hồ sơ nộp trực tiếp tại Bộ phận một cửa hoặc qua bưu chính công ích được tiếp nhận trong kỳ.",
    },
    Column {
        key: "resolved_early",
        header_vi: "Số hồ sơ đã giải quyết - Trước hạn",
        definition_vi: "Hồ sơ đã trả kết quả trong kỳ (kể cả kết quả không giải quyết) vào ngày trước ngày hẹn trả theo quy định.",
    },
    Column {
        key: "resolved_on_time",
        header_vi: "Số hồ sơ đã giải quyết - Đúng hạn",
        definition_vi: "Hồ sơ đã trả kết quả trong kỳ đúng ngày hẹn trả theo quy định, không muộn hơn giờ hẹn.",
    },
    Column {
        key: "resolved_late",
        header_vi: "Số hồ sơ đã giải quyết - Quá hạn",
        definition_vi: "Hồ sơ đã trả kết quả trong kỳ sau thời điểm hẹn trả theo quy định, kể cả khi đã xin lỗi và hẹn lại hoặc gia hạn.",
    },
    Column {
        key: "in_progress_within_time",
        header_vi: "Số hồ sơ đang giải quyết - Trong hạn",
        definition_vi: "Hồ sơ đã tiếp nhận, chưa kết thúc vào cuối kỳ, chưa quá hạn tại thời điểm đánh giá (cuối kỳ, hoặc thời điểm lập báo cáo nếu kỳ chưa kết thúc); hồ sơ đang chờ bổ sung hoặc thực hiện nghĩa vụ tài chính được tính trong hạn nếu chưa quá hạn khi bắt đầu chờ.",
    },
    Column {
        key: "in_progress_overdue",
        header_vi: "Số hồ sơ đang giải quyết - Quá hạn",
        definition_vi: "Hồ sơ đã tiếp nhận, chưa kết thúc vào cuối kỳ, đã quá thời điểm hẹn trả theo quy định tại thời điểm đánh giá.",
    },
    Column {
        key: "supplement_requested",
        header_vi: "Số hồ sơ yêu cầu bổ sung",
        definition_vi: "Hồ sơ có ít nhất một yêu cầu bổ sung được gửi trong kỳ (mỗi hồ sơ tính một lần trong một kỳ).",
    },
    Column {
        key: "refused",
        header_vi: "Số hồ sơ từ chối tiếp nhận",
        definition_vi: "Hồ sơ bị từ chối tiếp nhận trong kỳ (không tính vào số nhận giải quyết).",
    },
    Column {
        key: "returned_for_completion",
        header_vi: "Số hồ sơ trả lại để hoàn thiện",
        definition_vi: "Hồ sơ chưa được tiếp nhận, trả lại trong kỳ để người nộp hoàn thiện (không tính vào số nhận giải quyết).",
    },
    Column {
        key: "withdrawn",
        header_vi: "Số hồ sơ rút",
        definition_vi: "Hồ sơ đã tiếp nhận, được xác nhận rút theo yêu cầu của người nộp trong kỳ.",
    },
    Column {
        key: "stopped",
        header_vi: "Số hồ sơ dừng xử lý",
        definition_vi: "Hồ sơ đã tiếp nhận, bị dừng xử lý (có thông báo) trong kỳ.",
    },
];

/// One field's row of the table. The counts balance: `received() == resolved() + withdrawn +
/// stopped + in_progress()`. See [`COLUMNS`] for the exact definitions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldStats {
    /// Accepted before the period and still open at its start.
    pub carried_over: i64,
    /// Accepted in the period, submitted online.
    pub new_online: i64,
    /// Accepted in the period, at the desk or by post.
    pub new_direct_or_post: i64,
    /// Result returned in the period on a date before the legal appointment's.
    pub resolved_early: i64,
    /// Returned in the period on the legal appointment's date, not after it.
    pub resolved_on_time: i64,
    /// Returned in the period after the legal appointment.
    pub resolved_late: i64,
    /// Open at the end of the period, not overdue when judged.
    pub in_progress_within_time: i64,
    /// Open at the end of the period, overdue when judged.
    pub in_progress_overdue: i64,
    /// Dossiers asked to supplement at least once in the period.
    pub supplement_requested: i64,
    /// Refused at intake in the period.
    pub refused: i64,
    /// Returned before acceptance for completion in the period.
    pub returned_for_completion: i64,
    /// Accepted, then withdrawn in the period.
    pub withdrawn: i64,
    /// Accepted, then stopped in the period.
    pub stopped: i64,
}

impl FieldStats {
    /// Received in total.
    pub fn received(&self) -> i64 {
        self.carried_over + self.new_online + self.new_direct_or_post
    }

    /// Resolved in total.
    pub fn resolved(&self) -> i64 {
        self.resolved_early + self.resolved_on_time + self.resolved_late
    }

    /// In progress in total.
    pub fn in_progress(&self) -> i64 {
        self.in_progress_within_time + self.in_progress_overdue
    }

    /// The value of a column by its key (see [`COLUMNS`]).
    pub fn get(&self, key: &str) -> Option<i64> {
        Some(match key {
            "carried_over" => self.carried_over,
            "new_online" => self.new_online,
            "new_direct_or_post" => self.new_direct_or_post,
            "resolved_early" => self.resolved_early,
            "resolved_on_time" => self.resolved_on_time,
            "resolved_late" => self.resolved_late,
            "in_progress_within_time" => self.in_progress_within_time,
            "in_progress_overdue" => self.in_progress_overdue,
            "supplement_requested" => self.supplement_requested,
            "refused" => self.refused,
            "returned_for_completion" => self.returned_for_completion,
            "withdrawn" => self.withdrawn,
            "stopped" => self.stopped,
            _ => return None,
        })
    }

    fn add(&mut self, o: &FieldStats) {
        self.carried_over += o.carried_over;
        self.new_online += o.new_online;
        self.new_direct_or_post += o.new_direct_or_post;
        self.resolved_early += o.resolved_early;
        self.resolved_on_time += o.resolved_on_time;
        self.resolved_late += o.resolved_late;
        self.in_progress_within_time += o.in_progress_within_time;
        self.in_progress_overdue += o.in_progress_overdue;
        self.supplement_requested += o.supplement_requested;
        self.refused += o.refused;
        self.returned_for_completion += o.returned_for_completion;
        self.withdrawn += o.withdrawn;
        self.stopped += o.stopped;
    }
}

/// The table for an agency and its children over `[from, to)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statistics {
    /// Agencies counted.
    pub agencies: Vec<String>,
    /// Period start (inclusive).
    pub from: DateTime<Utc>,
    /// Period end (exclusive).
    pub to: DateTime<Utc>,
    /// The instant at which open dossiers are judged overdue or within time: the period's
    /// end, or the time of the report if the period has not ended.
    pub judged_at: DateTime<Utc>,
    /// By field.
    pub by_field: BTreeMap<String, FieldStats>,
    /// All fields.
    pub total: FieldStats,
}

/// `$first, $first+1, ...` for a list of `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sql` with its two instants (`$1`, `$2`) and the agencies (`$3`...) bound.
pub(crate) fn bound<'q>(
    sql: String,
    first: DateTime<Utc>,
    second: DateTime<Utc>,
    agencies: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let q = sqlx::query(AssertSqlSafe(sql))
        .bind(micros(first))
        .bind(micros(second));
    agencies.iter().fold(q, |q, a| q.bind(a))
}

impl Store {
    /// Counts received, resolved and in-progress dossiers for `agency` and the agencies below
    /// it, over `[from, to)`, by field; `now` is the time of the report (open dossiers are
    /// judged at the earlier of `to` and `now`). Three queries: one pass over the index of
    /// accepted dossiers, the overdue ones among those open at the end (by the legal clock in
    /// force when judged), and the supplement requests made in the period.
    pub async fn statistics(
        &self,
        agency: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Statistics, StoreError> {
        let agencies = self.agency_subtree(agency).await?;
        let judged_at = to.min(now);
        let mut stats = Statistics {
            agencies,
            from,
            to,
            judged_at,
            ..Statistics::default()
        };
        let n = stats.agencies.len();

        // Dossiers accepted before the end of the period and not closed before its start,
        // plus those refused or returned at intake in the period.
        let sql = format!(
            "SELECT field,
               COUNT(*) FILTER (WHERE accepted_at < $1 AND (closed_at IS NULL OR closed_at >= $1)),
               COUNT(*) FILTER (WHERE accepted_at >= $1 AND accepted_at < $2 AND channel = 'online'),
               COUNT(*) FILTER (WHERE accepted_at >= $1 AND accepted_at < $2 AND channel <> 'online'),
               COUNT(*) FILTER (WHERE state = 'returned' AND closed_at >= $1 AND closed_at < $2 AND timeliness = 'early'),
               COUNT(*) FILTER (WHERE state = 'returned' AND closed_at >= $1 AND closed_at < $2 AND timeliness = 'ontime'),
               COUNT(*) FILTER (WHERE state = 'returned' AND closed_at >= $1 AND closed_at < $2 AND timeliness = 'late'),
               COUNT(*) FILTER (WHERE accepted_at < $2 AND (closed_at IS NULL OR closed_at >= $2)),
               COUNT(*) FILTER (WHERE state = 'refused' AND closed_at >= $1 AND closed_at < $2),
               COUNT(*) FILTER (WHERE state = 'returned-for-completion' AND closed_at >= $1 AND closed_at < $2),
               COUNT(*) FILTER (WHERE state = 'withdrawn' AND accepted_at IS NOT NULL AND closed_at >= $1 AND closed_at < $2),
               COUNT(*) FILTER (WHERE state = 'stopped' AND accepted_at IS NOT NULL AND closed_at >= $1 AND closed_at < $2)
             FROM dossiers
             WHERE agency_id IN ({})
               AND ((accepted_at IS NOT NULL AND accepted_at < $2 AND (closed_at IS NULL OR closed_at >= $1))
                    OR (accepted_at IS NULL AND state IN ('refused', 'returned-for-completion')
                        AND closed_at >= $1 AND closed_at < $2))
             GROUP BY field",
            placeholders(3, n)
        );
        let rows = bound(sql, from, to, &stats.agencies)
            .fetch_all(&self.pool)
            .await?;
        let mut in_progress = BTreeMap::new();
        for r in rows {
            let get = |i: usize| -> Result<i64, StoreError> { Ok(r.try_get::<i64, _>(i)?) };
            let field: String = r.try_get(0)?;
            let f = stats.by_field.entry(field.clone()).or_default();
            f.carried_over = get(1)?;
            f.new_online = get(2)?;
            f.new_direct_or_post = get(3)?;
            f.resolved_early = get(4)?;
            f.resolved_on_time = get(5)?;
            f.resolved_late = get(6)?;
            f.refused = get(8)?;
            f.returned_for_completion = get(9)?;
            f.withdrawn = get(10)?;
            f.stopped = get(11)?;
            in_progress.insert(field, get(7)?);
        }

        // Of those open at the end, the overdue ones: judged by the legal clock's row in
        // force at `judged_at` (see legal_clock.rs).
        // The covering index of migration 0012 (it holds the id the legal clock is looked
        // up by); SQLite's planner, without statistics, would take dossiers_stats and read
        // every open dossier's wide row.
        let by = if self.backend == crate::Backend::Sqlite {
            " INDEXED BY dossiers_open_stats"
        } else {
            ""
        };
        let sql = format!(
            "SELECT d.field, COUNT(*) FROM dossiers d{by}
             WHERE d.agency_id IN ({}) AND d.accepted_at < $2 AND (d.closed_at IS NULL OR d.closed_at >= $2)
               AND (SELECT c.overdue_after FROM legal_clock c
                    WHERE c.dossier_id = d.id AND c.at <= $1 ORDER BY c.seq DESC LIMIT 1) < $1
             GROUP BY d.field",
            placeholders(3, n)
        );
        let rows = bound(sql, judged_at, to, &stats.agencies)
            .fetch_all(&self.pool)
            .await?;
        let mut overdue = BTreeMap::new();
        for r in rows {
            overdue.insert(r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?);
        }
        for (field, open) in in_progress {
            let late = overdue.get(&field).copied().unwrap_or(0);
            let f = stats.by_field.entry(field).or_default();
            f.in_progress_overdue = late;
            f.in_progress_within_time = open - late;
        }

        // Supplement requests made in the period, once per dossier.
        let sql = format!(
            "SELECT field, COUNT(DISTINCT dossier_id) FROM legal_clock
             WHERE agency_id IN ({}) AND kind = 'supplement-requested' AND at >= $1 AND at < $2
             GROUP BY field",
            placeholders(3, n)
        );
        let rows = bound(sql, from, to, &stats.agencies)
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let field: String = r.try_get(0)?;
            stats
                .by_field
                .entry(field)
                .or_default()
                .supplement_requested = r.try_get(1)?;
        }

        for f in stats.by_field.values() {
            stats.total.add(f);
        }
        Ok(stats)
    }
}
