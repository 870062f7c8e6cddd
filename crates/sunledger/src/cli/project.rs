//! `sunledger projects`: the project library as files.
use super::{Globals, now, open};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum ProjectsCommand {
    /// Imports an existing project library (CSV or XLSX, one project per row). Each bad row is
    /// reported as `line N: field: reason`; the good rows are imported together in one
    /// transaction. Rows already in the library with the same content are skipped.
    Import {
        file: PathBuf,
        /// Check the file and report; import nothing.
        #[arg(long)]
        check: bool,
        /// Text added to the note recorded with every imported project, e.g. the document that
        /// approved the library.
        #[arg(long)]
        note: Option<String>,
    },
    /// Writes the projects of a region's subtree (current content) to a CSV file in the import's
    /// columns.
    Export {
        /// Region code.
        #[arg(long)]
        region: String,
        /// The file to write: FILE.csv.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `sunledger projects import` and `sunledger projects export`.
pub(super) async fn run(command: ProjectsCommand, g: &Globals) -> Result<u8> {
    let store = open(&g.url).await?;
    let code = match command {
        ProjectsCommand::Import { file, check, note } => {
            let opts = crate::io::project::ImportOptions { check, note };
            crate::io::project::run_cli(store.as_ref(), &file, &opts, now()).await?
        }
        ProjectsCommand::Export { region, out } => {
            crate::io::project::export_cli(store.as_ref(), &region, &out).await?
        }
    };
    Ok(u8::try_from(code).unwrap_or(1))
}
