//! Rebuild when the web UI's build output changes: release builds embed
//! `frontend/dist` (see `src/web/app_shell.rs`). Before the first frontend
//! build there is no `dist/` to watch, so the folder that will hold it is
//! watched instead. New migration files must also rebuild (`sqlx::migrate!`).

fn main() {
    if std::path::Path::new("frontend/dist").exists() {
        println!("cargo:rerun-if-changed=frontend/dist");
    } else {
        println!("cargo:rerun-if-changed=frontend");
    }
    println!("cargo:rerun-if-changed=migrations");
}
