//! `apply`: how each event changes the projection. Events come from `decide` (or the log),
//! so they are trusted to fit the state; applying needs no calendar.

use super::*;
use crate::dossier::event::{Deadline, EVENT_FORMAT};

impl Dossier {
    /// Folds one sealed event into the dossier, after checking that it is the next link of
    /// the dossier's chain: its sequence number is the dossier's version, it follows the
    /// dossier's last hash, and its content matches its own hash. Anything else is refused
    /// and changes nothing. Applying needs no calendar: events carry every computed value.
    pub fn apply(
        &mut self,
        recorded: &RecordedEvent,
        procedure: &Procedure,
    ) -> Result<(), ApplyError> {
        if recorded.seq != self.0.version {
            return Err(ApplyError::OutOfSequence {
                expected: self.0.version,
                found: recorded.seq,
            });
        }
        if recorded.prev_hash != self.0.last_hash {
            return Err(ApplyError::NotChained { seq: recorded.seq });
        }
        if !(1..=EVENT_FORMAT).contains(&recorded.format) {
            return Err(ApplyError::UnknownFormat {
                seq: recorded.seq,
                format: recorded.format,
            });
        }
        if !recorded.is_intact() {
            return Err(ApplyError::Altered { seq: recorded.seq });
        }
        self.0.fold(recorded, procedure);
        Ok(())
    }

    /// Rebuilds a dossier from its whole log: each event applied in turn, the chain checked
    /// at every link. `id` and `agency` are the dossier's; the log says everything else.
    pub fn replay(
        id: impl Into<String>,
        agency: AgencyId,
        events: &[RecordedEvent],
        procedure: &Procedure,
    ) -> Result<Dossier, ApplyError> {
        let mut d = Dossier::new(id, agency);
        for e in events {
            d.apply(e, procedure)?;
        }
        Ok(d)
    }

    /// Rebuilds a dossier from its whole log like [`Dossier::replay`], each event applied
    /// with the procedure version it was decided under: the one the dossier was submitted
    /// under, then the one each `procedure-migrated` event names. `version_of` answers a
    /// version of the dossier's procedure.
    pub fn replay_versions<'p>(
        id: impl Into<String>,
        agency: AgencyId,
        events: &[RecordedEvent],
        version_of: &dyn Fn(&str) -> Option<&'p Procedure>,
    ) -> Result<Dossier, ApplyError> {
        let mut d = Dossier::new(id, agency);
        let mut current: Option<&Procedure> = None;
        for e in events {
            let wanted = match &e.event {
                Event::Submitted { version, .. } => Some(version.as_str()),
                Event::ProcedureMigrated { to_version, .. } => Some(to_version.as_str()),
                _ => None,
            };
            if let Some(v) = wanted {
                current = Some(version_of(v).ok_or_else(|| ApplyError::UnknownVersion {
                    seq: e.seq,
                    version: v.to_string(),
                })?);
            }
            let p = current.ok_or_else(|| ApplyError::UnknownVersion {
                seq: e.seq,
                version: String::new(),
            })?;
            d.apply(e, p)?;
        }
        Ok(d)
    }

    /// Applies events this engine has just sealed after the dossier's last one (`execute`).
    pub(super) fn apply_sealed(&mut self, recorded: &RecordedEvent, procedure: &Procedure) {
        debug_assert_eq!(recorded.seq, self.0.version);
        self.0.fold(recorded, procedure);
    }
}

/// Why a sealed event cannot be applied to a dossier. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The event is not the next one: the dossier expects the sequence number `expected`.
    #[error("event seq {found} does not follow the dossier: expected seq {expected}")]
    OutOfSequence {
        /// The dossier's version: the sequence number the next event must have.
        expected: u64,
        /// The event's.
        found: u64,
    },
    /// The event does not link to the dossier's last hash.
    #[error("event seq {seq} does not link to the dossier's last event")]
    NotChained {
        /// The event's sequence number.
        seq: u64,
    },
    /// The event was sealed in a format this build does not know.
    #[error(
        "event seq {seq} is in event format {format}; this build reads formats 1 to {}",
        EVENT_FORMAT
    )]
    UnknownFormat {
        /// The event's sequence number.
        seq: u64,
        /// Its format.
        format: u32,
    },
    /// The procedure version an event was decided under is not known to the caller.
    #[error("event seq {seq} needs procedure version `{version}`, which is not given")]
    UnknownVersion {
        /// The event's sequence number.
        seq: u64,
        /// The version (empty: the log does not start with a submission).
        version: String,
    },
    /// The event's content does not match its hash.
    #[error("event seq {seq} was altered: its content does not match its hash")]
    Altered {
        /// The event's sequence number.
        seq: u64,
    },
}

impl DossierView {
    /// How one event changes the projection.
    fn fold(&mut self, recorded: &RecordedEvent, procedure: &Procedure) {
        let at = recorded.at;
        match &recorded.event {
            Event::Submitted {
                procedure: code,
                version,
                agency,
                channel,
                applicant,
                owner,
                form,
                components,
                files,
                intake_due,
                ..
            } => {
                self.procedure = code.clone();
                self.procedure_version = version.clone();
                self.agency = agency.clone();
                self.channel = Some(*channel);
                self.applicant = applicant.clone();
                self.owner = owner.clone();
                self.form = form.clone();
                self.components = components.clone();
                self.files = files.clone();
                self.submitted_at = Some(at);
                self.intake_due = *intake_due;
                self.state = State::Submitted;
            }
            Event::Resubmitted {
                form,
                components,
                files,
                intake_due,
                ..
            } => {
                self.form = form.clone();
                self.components = components.clone();
                self.files.extend(files.iter().cloned());
                self.intake_due = Some(*intake_due);
                self.intake_result = None;
                self.state = State::Submitted;
                self.closed_at = None;
            }
            Event::ReturnedForCompletion { intake, .. } => {
                self.intake_result = *intake;
                self.state = State::ReturnedForCompletion;
                self.closed_at = Some(at);
            }
            Event::Refused { intake, .. } => {
                self.intake_result = *intake;
                self.state = State::Refused;
                self.closed_at = Some(at);
            }
            Event::Accepted {
                code,
                counting_start,
                appointment,
                step,
                step_due,
                intake,
                ..
            } => {
                self.intake_result = *intake;
                self.accepted_at = Some(at);
                self.code = Some(code.clone());
                self.clock.limit = Some(procedure.catalogue.time_limit);
                self.clock.counting_start = Some(*counting_start);
                self.clock.appointment = Some(*appointment);
                self.clock.original_appointment = Some(*appointment);
                self.clock_entry(
                    *counting_start,
                    format!(
                        "accepted; {} starts counting",
                        procedure.catalogue.time_limit
                    ),
                );
                self.step = Some(step.clone());
                let (role, allowance) = procedure
                    .step(step)
                    .map_or((Role::ReceptionOfficer, Duration::working_hours(0)), |s| {
                        (s.role, s.allowance)
                    });
                self.open_row(step, role, allowance, *counting_start, *step_due, None);
                self.state = State::InProgress;
            }
            Event::HandedOver {
                to,
                assignee,
                step_due,
                result,
                ..
            } => {
                self.close_row(at, *result, Some(to.clone()));
                let (role, allowance) = procedure
                    .step(to)
                    .map_or((Role::ReceptionOfficer, Duration::working_hours(0)), |s| {
                        (s.role, s.allowance)
                    });
                self.open_row(to, role, allowance, at, *step_due, assignee.clone());
                self.step = Some(to.clone());
                self.assignee = assignee.clone();
            }
            Event::Assigned { officer } => {
                self.assignee = Some(officer.clone());
                if let Some(row) = self.slip.last_mut() {
                    row.assignee = Some(officer.clone());
                }
            }
            Event::DraftAttached { attachment } => self.drafts.push(attachment.clone()),
            Event::SignedResultAttached { attachment } => {
                self.signed_result = Some(attachment.clone());
            }
            Event::SupplementRequested {
                reason,
                round,
                applicant_fault,
                ..
            } => {
                self.supplement_rounds = *round;
                if *applicant_fault {
                    self.supplement_rounds_applicant_fault += 1;
                }
                self.state = State::AwaitingSupplement;
                self.clock.paused = Some((at, PauseReason::Supplement));
                self.clock_entry(
                    at,
                    format!("supplement round {round} requested ({reason}); clock stopped"),
                );
            }
            Event::SupplementReceived {
                policy,
                waited,
                appointment,
                original_appointment,
                step_due,
                files,
                ..
            } => {
                self.files.extend(files.iter().cloned());
                self.resume(*appointment, *original_appointment, *step_due);
                let what = match policy {
                    crate::procedure::SupplementPolicy::Restart => {
                        format!(
                            "supplement received after waiting {waited}; processing time restarts from zero"
                        )
                    }
                    crate::procedure::SupplementPolicy::Pause => {
                        format!(
                            "supplement received; the {waited} of waiting is added to the appointment"
                        )
                    }
                };
                self.clock_entry(at, what);
            }
            Event::ConsultationOpened {
                id,
                agencies,
                content,
                deadline,
            } => self.consultations.push(Consultation {
                id: id.clone(),
                agencies: agencies.clone(),
                content: content.clone(),
                deadline: *deadline,
                answers: BTreeMap::new(),
            }),
            Event::ConsultationAnswered {
                id,
                agency,
                answer,
                late,
            } => {
                if let Some(c) = self.consultations.iter_mut().find(|c| &c.id == id) {
                    c.answers.insert(agency.clone(), (answer.clone(), *late));
                }
            }
            Event::VerificationScheduled { time, place, .. } => {
                self.verifications.push((*time, place.clone()));
            }
            Event::ExtensionRequested {
                reason,
                extra,
                new_appointment,
            } => {
                self.pending_extension = Some((reason.clone(), extra.clone(), *new_appointment));
            }
            Event::ExtensionGranted {
                approver,
                appointment,
                ..
            } => {
                self.pending_extension = None;
                self.extensions_used += 1;
                self.clock.appointment = Some(*appointment);
                self.clock_entry(at, format!("extension granted by {approver}"));
            }
            Event::Apologised {
                reason,
                appointment,
                ..
            } => {
                self.clock.appointment = Some(*appointment);
                self.clock_entry(at, format!("apology sent ({reason}); new appointment"));
            }
            Event::PaymentRequested { amount_vnd, reason } => {
                self.payment_due = Some(*amount_vnd);
                self.state = State::AwaitingPayment;
                self.clock.paused = Some((at, PauseReason::Payment));
                self.clock_entry(at, format!("financial obligation of {amount_vnd} đồng requested ({reason}); clock paused"));
            }
            Event::PaymentRecorded {
                waited,
                appointment,
                original_appointment,
                step_due,
                ..
            } => {
                self.payment_due = None;
                self.resume(*appointment, *original_appointment, *step_due);
                self.clock_entry(
                    at,
                    format!(
                        "payment recorded; the {waited} of waiting is added to the appointment"
                    ),
                );
            }
            Event::WithdrawalRequested { reason } => {
                self.withdrawal_requested = Some(reason.clone());
            }
            Event::PostalDeliveryRequested { delivery } => {
                self.postal_delivery = Some(delivery.clone());
            }
            Event::Withdrawn => {
                self.state = State::Withdrawn;
                self.closed_at = Some(at);
            }
            Event::Stopped { .. } => {
                self.state = State::Stopped;
                self.closed_at = Some(at);
            }
            Event::ProcessingFinished { outcome, result } => {
                self.close_row(at, *result, None);
                self.outcome = Some(outcome.clone());
                self.state = State::Finished;
            }
            Event::ResultReturned { timeliness } => {
                self.timeliness = Some(*timeliness);
                self.state = State::Returned;
                self.closed_at = Some(at);
            }
            Event::Rated {
                score, indicators, ..
            } => {
                self.rating = Some(*score);
                self.rating_indicators = indicators.clone();
            }
            Event::Notified { .. } => {}
            Event::Flagged { flag } => self.flags.push(flag.clone()),
            Event::ProcedureMigrated {
                from_version,
                to_version,
                step,
                step_due,
                appointment,
                original_appointment,
                ..
            } => {
                self.procedure_version = to_version.clone();
                self.migrated_at = Some(at);
                if let Some(step) = step {
                    if let Some(row) = self.slip.last_mut().filter(|r| r.left_at.is_none()) {
                        row.step = step.clone();
                        if let Some(due) = step_due {
                            row.due = *due;
                        }
                    }
                    self.step = Some(step.clone());
                }
                if self.clock.limit.is_some() {
                    self.clock.limit = Some(procedure.catalogue.time_limit);
                }
                if let Some(a) = appointment {
                    self.clock.appointment = Some(*a);
                }
                if let Some(a) = original_appointment {
                    self.clock.original_appointment = Some(*a);
                }
                if self.clock.limit.is_some() {
                    self.clock_entry(
                        at,
                        format!("procedure version {from_version} replaced by {to_version}"),
                    );
                }
            }
            Event::DeadlinesReprojected {
                calendar_before,
                calendar_after,
                moved,
                ..
            } => {
                let mut clock_moved = false;
                for m in moved {
                    match &m.deadline {
                        Deadline::IntakeDue => self.intake_due = Some(m.after),
                        Deadline::Appointment => {
                            self.clock.appointment = Some(m.after);
                            clock_moved = true;
                        }
                        Deadline::OriginalAppointment => {
                            self.clock.original_appointment = Some(m.after);
                            clock_moved = true;
                        }
                        Deadline::StepDue { step } => {
                            if let Some(row) = self
                                .slip
                                .last_mut()
                                .filter(|r| &r.step == step && r.left_at.is_none())
                            {
                                row.due = m.after;
                            }
                        }
                        Deadline::ConsultationDeadline { id } => {
                            if let Some(c) = self.consultations.iter_mut().find(|c| &c.id == id) {
                                c.deadline = m.after;
                            }
                        }
                    }
                }
                if clock_moved {
                    self.clock_entry(
                        at,
                        format!(
                            "calendar {} replaced by {calendar_after}: deadlines reprojected",
                            calendar_before.as_deref().unwrap_or("(unversioned)")
                        ),
                    );
                }
            }
        }
        if let Some(v) = recorded.event.calendar() {
            self.calendar_version = Some(v.to_string());
        }
        self.version = recorded.seq + 1;
        self.last_hash = recorded.hash.clone();
    }
}
