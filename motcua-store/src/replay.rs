//! Replaying a scenario into the database as real transactions (demo data, tests).

use motcua_core::calendar::WorkingCalendar;
use motcua_core::dossier::{Command, Dossier};
use motcua_core::procedure::Procedure;
use motcua_core::scenario::{Action, Expect, Scenario};
use std::sync::Arc;

use crate::{ExecuteRequest, NewAttachment, Store, StoreError, sha256_hex};

impl Store {
    /// Runs every step of `scenario` through [`Store::execute`] as dossier `id`. Files the
    /// scenario names are uploaded as small placeholders (a scenario gives only names).
    /// Returns the dossier and the numbers (1-based) of steps that did not behave as the
    /// scenario expects.
    pub async fn replay(
        &self,
        scenario: &Scenario,
        id: &str,
        procedure: &Procedure,
        calendar: &Arc<WorkingCalendar>,
    ) -> Result<(Dossier, Vec<usize>), StoreError> {
        let actors = scenario
            .actors()
            .map_err(|e| StoreError::Config(e.to_string()))?;
        let mut unexpected = Vec::new();
        for (i, step) in scenario.steps.iter().enumerate() {
            let Action::Command(command) = &step.action else {
                return Err(StoreError::Config(format!(
                    "step {}: only commands on one dossier can be loaded into a database (calendar changes, versions and checks are `motcua scenario run`'s)",
                    i + 1
                )));
            };
            if step.dossier.is_some() {
                return Err(StoreError::Config(format!(
                    "step {}: a scenario of several dossiers cannot be loaded as one",
                    i + 1
                )));
            }
            let actor = actors.get(&step.actor).ok_or_else(|| {
                StoreError::Config(format!("step {}: unknown actor `{}`", i + 1, step.actor))
            })?;
            let mut command = command.clone();
            let mut attachments = vec![];
            if let Command::AttachDraft { attachment }
            | Command::AttachSignedResult { attachment } = &mut command
            {
                let bytes =
                    format!("motcua scenario placeholder for {}", attachment.name).into_bytes();
                attachment.sha256 = sha256_hex(&bytes);
                attachments.push(NewAttachment {
                    bytes,
                    content_type: "text/plain".into(),
                });
            }
            let result = self
                .execute(ExecuteRequest {
                    dossier_id: id,
                    agency: &scenario.agency,
                    command,
                    actor,
                    now: step.at,
                    procedure,
                    calendar,
                    expected_version: None,
                    attachments,
                })
                .await;
            let refused = match result {
                Ok(_) => false,
                Err(StoreError::Rejected(_)) => true,
                Err(e) => return Err(e),
            };
            if refused != (step.expect == Expect::Refused) {
                unexpected.push(i + 1);
            }
        }
        Ok((self.dossier(id).await?, unexpected))
    }
}
