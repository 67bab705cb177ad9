//! `motcua init`: readies a database for a province's own setup: applies the migrations and
//! creates the first system administrator, whose one-time password is printed once.

use anyhow::anyhow;
use clap::Args;
use motcua_store::Agency;

use crate::store_cmd::DatabaseArg;
use crate::{CliError, bad_input};

#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The agency the administrator belongs to (its identifier, e.g. 000.00.00.H53). Default:
    /// the one agency at the top of the database's tree.
    #[arg(long)]
    agency: Option<String>,
    /// Name of the agency, when `--agency` names one that does not exist yet (it is then
    /// created at the top of the tree).
    #[arg(long)]
    agency_name: Option<String>,
    /// Level of an agency created by `--agency-name`.
    #[arg(long, default_value = "province", value_parser = ["province", "district", "commune"])]
    level: String,
    /// Login name of the administrator.
    #[arg(long, default_value = "quantri")]
    admin: String,
    /// Full name of the administrator.
    #[arg(long, default_value = "Quản trị hệ thống")]
    admin_name: String,
}

fn failure(e: impl std::fmt::Display) -> CliError {
    CliError::Failure(anyhow!("{e}"))
}

pub fn run(args: InitArgs) -> Result<(), CliError> {
    crate::store_cmd::runtime()?.block_on(async {
        let store = crate::store_cmd::open(&args.db).await?;
        let admins = store
            .holders_of(motcua_http::bootstrap::SYSTEM_ADMIN)
            .await
            .map_err(failure)?;
        if !admins.is_empty() {
            return Err(failure(format!(
                "the database already has a system administrator ({}); they create the other accounts",
                admins.join(", ")
            )));
        }
        let agencies = store.agencies().await.map_err(failure)?;
        let agency = match (&args.agency, &args.agency_name) {
            (Some(id), name) => {
                if let Some(a) = agencies.iter().find(|a| &a.id == id) {
                    a.clone()
                } else {
                    let Some(name) = name else {
                        return Err(bad_input(anyhow!(
                            "agency {id} does not exist: give --agency-name to create it"
                        )));
                    };
                    motcua_core::dossier::AgencyId::parse(id)
                        .map_err(|e| bad_input(anyhow!("--agency {id}: {e}")))?;
                    let a = Agency {
                        id: id.clone(),
                        name: name.clone(),
                        level: args.level.clone(),
                        parent_id: None,
                        host_names: vec![],
                        contact: Default::default(),
                    };
                    store.put_agency(&a).await.map_err(failure)?;
                    println!("Created agency {id} ({name}, {} level).", a.level);
                    a
                }
            }
            (None, Some(_)) => {
                return Err(bad_input(anyhow!("--agency-name needs --agency")));
            }
            (None, None) => {
                let roots: Vec<&Agency> =
                    agencies.iter().filter(|a| a.parent_id.is_none()).collect();
                match roots.as_slice() {
                    [one] => (*one).clone(),
                    [] => {
                        return Err(bad_input(anyhow!(
                            "the database has no agency: give --agency and --agency-name for the first one"
                        )));
                    }
                    several => {
                        let ids: Vec<&str> = several.iter().map(|a| a.id.as_str()).collect();
                        return Err(bad_input(anyhow!(
                            "several agencies are at the top of the tree ({}): choose one with --agency",
                            ids.join(", ")
                        )));
                    }
                }
            }
        };
        let password = motcua_http::bootstrap::create_first_admin(
            &store,
            &agency.id,
            &args.admin,
            &args.admin_name,
        )
        .await
        .map_err(|e| match e {
            motcua_store::StoreError::Conflict(_) => bad_input(anyhow!(
                "an account named {} already exists: choose another with --admin",
                args.admin
            )),
            other => failure(other),
        })?;
        println!(
            "System administrator `{}` at {} ({}). One-time password, shown only now: {password}",
            args.admin, agency.id, agency.name
        );
        println!("Log in with it and choose a new password; then create the staff accounts.");
        Ok(())
    })
}
