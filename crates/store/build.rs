//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds the directories'
//! files, and cargo does not watch a directory for new files by itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
