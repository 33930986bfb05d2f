//! `loggia backup DIR` and `loggia restore DIR`. A backup is a directory:
//!
//! - `loggia.sqlite`: a consistent copy of a SQLite database (`VACUUM INTO`,
//!   taken while the server runs), or `loggia.pgdump`: `pg_dump -Fc` of a
//!   PostgreSQL database (one snapshot, also taken while it runs);
//! - `media/`: the local media directory (`media_backend = "local"`), hard
//!   links where the file system allows, copies otherwise. Media files are
//!   never changed in place (written under a temporary name and renamed),
//!   so a link is a faithful copy. A bucket (`s3`) is backed up by its own
//!   means.
//!
//! The directory is built under a temporary name next to `DIR` and renamed
//! into place, so `DIR` is either absent or complete. The SQL lives in
//! `store::backup`; this module owns the files and the PostgreSQL programs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr;

use anyhow::{Context, bail};
use sqlx::sqlite::SqliteConnectOptions;

use crate::config::{Config, MediaBackend};
use crate::crypto::random_token;
use crate::state::redact;
use crate::store::backup::{self as sql, SqliteCheck};

pub const SQLITE_FILE: &str = "loggia.sqlite";
pub const POSTGRES_FILE: &str = "loggia.pgdump";
pub const MEDIA_DIR: &str = "media";

/// Writes a backup of the configured instance to the directory `dest`.
/// Returns what it did, for the operator.
pub async fn backup(config: &Config, dest: &Path, force: bool) -> anyhow::Result<String> {
    if dest.exists() && !force {
        bail!(
            "{} already exists (use --force to replace it)",
            dest.display()
        );
    }
    if dest.exists() {
        replaceable(dest)?;
    }
    let media = local_media(config);
    if let Some(media) = media
        && inside(dest, media)
    {
        bail!(
            "the backup cannot go inside the media directory {}",
            media.display()
        );
    }
    let partial = Partial::create(dest)?;
    let mut report = Vec::new();

    // Media before and after the database: a file the snapshot refers to
    // existed at one of the two passes unless it was deleted in between.
    let media_dest = partial.path.join(MEDIA_DIR);
    let mut media_files = 0;
    if let Some(media) = media {
        media_files += copy_tree_blocking(media, &media_dest).await?;
    }
    if is_sqlite(&config.database_url) {
        let file = partial.path.join(SQLITE_FILE);
        let file_text = file
            .to_str()
            .context("the backup path is not valid UTF-8")?
            .to_owned();
        sql::sqlite_snapshot(&config.database_url, &file_text)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot copy the database {}: {e}",
                    redact(&config.database_url)
                )
            })?;
        let migrations = verify_sqlite(&file).await?;
        sync_file(&file)?;
        report.push(format!(
            "database: {SQLITE_FILE} (SQLite, {migrations} migrations applied)"
        ));
    } else {
        let file = partial.path.join(POSTGRES_FILE);
        pg_dump(&config.database_url, &file).await?;
        // pg_restore reads the archive's table of contents: a cheap check
        // that the file is whole.
        run_pg(
            "pg_restore",
            &[OsString::from("--list"), std::path::absolute(&file)?.into()],
            None,
        )
        .await
        .context("the dump cannot be read back")?;
        sync_file(&file)?;
        report.push(format!(
            "database: {POSTGRES_FILE} (pg_dump custom format; restore with `loggia restore` or pg_restore)"
        ));
    }
    match (config.media_backend, media) {
        (MediaBackend::Local, Some(media)) => {
            media_files += copy_tree_blocking(media, &media_dest).await?;
            report.push(format!(
                "media: {MEDIA_DIR}/ ({media_files} files from {})",
                media.display()
            ));
        }
        (MediaBackend::Local, None) => report.push("media: none uploaded yet".into()),
        (MediaBackend::S3, _) => report.push(format!(
            "media: not included; they are in the bucket {:?} (back it up with the bucket's versioning or replication)",
            config.s3_bucket
        )),
    }
    partial.finish(dest, force)?;
    report.insert(0, format!("Backup written to {}", dest.display()));
    Ok(report.join("\n"))
}

/// Restores the backup directory `source` into the configured database
/// (and media directory), then applies the migrations of this version.
pub async fn restore(config: &Config, source: &Path, force: bool) -> anyhow::Result<String> {
    let sqlite_file = source.join(SQLITE_FILE);
    let pg_file = source.join(POSTGRES_FILE);
    let mut report = Vec::new();
    match (
        sqlite_file.is_file(),
        pg_file.is_file(),
        is_sqlite(&config.database_url),
    ) {
        (true, _, true) => {
            let target = restore_sqlite(config, &sqlite_file, force).await?;
            report.push(format!("database: {}", target.display()));
        }
        (_, true, false) => {
            restore_postgres(config, &pg_file).await?;
            report.push(format!("database: {}", redact(&config.database_url)));
        }
        (true, _, false) => bail!(
            "{} is a SQLite backup but database_url is PostgreSQL; restore it with a sqlite:// database_url",
            source.display()
        ),
        (_, true, true) => bail!(
            "{} is a PostgreSQL backup but database_url is SQLite; restore it with a postgres:// database_url",
            source.display()
        ),
        _ => bail!(
            "{} is not a Loggia backup (it holds neither {SQLITE_FILE} nor {POSTGRES_FILE})",
            source.display()
        ),
    }
    let media_source = source.join(MEDIA_DIR);
    if media_source.is_dir() {
        match config.media_backend {
            MediaBackend::Local => {
                let files = copy_tree_blocking(&media_source, &config.media_dir).await?;
                report.push(format!(
                    "media: {files} files into {}",
                    config.media_dir.display()
                ));
            }
            MediaBackend::S3 => report.push(format!(
                "media: not restored: media_backend is s3; upload {} to the bucket {:?} yourself",
                media_source.display(),
                config.s3_bucket
            )),
        }
    }
    let store = crate::store::Store::connect(&config.database_url, 1)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the restored database: {e}"))?;
    let migrated = store.migrate_exclusively().await;
    store.close().await;
    migrated.map_err(|e| anyhow::anyhow!("cannot migrate the restored database: {e}"))?;
    report.insert(0, format!("Restored {}", source.display()));
    report.push(
        "Migrations of this version are applied. Start the server with `loggia serve`.".into(),
    );
    Ok(report.join("\n"))
}

/// Replaces the configured SQLite file with the backup's: a copy under a
/// temporary name, then a rename, after removing the old file's WAL (a
/// stale WAL would be replayed into the new file).
async fn restore_sqlite(config: &Config, source: &Path, force: bool) -> anyhow::Result<PathBuf> {
    verify_sqlite(source).await?;
    let options = SqliteConnectOptions::from_str(&config.database_url)
        .with_context(|| format!("database_url {:?} is not a SQLite URL", config.database_url))?;
    let target = options.get_filename().to_path_buf();
    if target.as_os_str() == ":memory:" {
        bail!("cannot restore into an in-memory database");
    }
    if target.exists() {
        if !force {
            bail!(
                "{} already exists (stop Loggia, then use --force to replace it)",
                target.display()
            );
        }
        if sql::sqlite_in_use(&target).await? {
            bail!(
                "{} is in use by a running Loggia: stop it first",
                target.display()
            );
        }
    }
    let parent = parent_of(&target);
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let temp = sibling(&target, "restoring");
    let copied = std::fs::copy(source, &temp)
        .map_err(anyhow::Error::from)
        .and_then(|_| sync_file(&temp));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&temp);
        return Err(e.context(format!(
            "cannot copy the backup next to {}",
            target.display()
        )));
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut stale = target.clone().into_os_string();
        stale.push(suffix);
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                let _ = std::fs::remove_file(&temp);
                return Err(anyhow::Error::from(e)
                    .context(format!("cannot remove {}", Path::new(&stale).display())));
            }
            _ => {}
        }
    }
    std::fs::rename(&temp, &target)
        .with_context(|| format!("cannot move the restored database to {}", target.display()))?;
    sync_dir(&parent);
    Ok(target)
}

async fn restore_postgres(config: &Config, dump: &Path) -> anyhow::Result<()> {
    let empty = sql::postgres_is_empty(&config.database_url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to {} (create the database first, e.g. with createdb): {e}",
                redact(&config.database_url)
            )
        })?;
    if !empty {
        bail!(
            "{} is not empty: restore into a new, empty database (createdb), then point database_url at it",
            redact(&config.database_url)
        );
    }
    // One transaction: a failed restore leaves the database empty.
    let (url, password) = split_password(&config.database_url)?;
    let mut args: Vec<OsString> = [
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
    ]
    .map(OsString::from)
    .to_vec();
    args.push(format!("--dbname={url}").into());
    // Absolute, so that a directory named `-x` is not read as an option.
    args.push(std::path::absolute(dump)?.into());
    run_pg("pg_restore", &args, password.as_deref()).await?;
    Ok(())
}

async fn pg_dump(database_url: &str, file: &Path) -> anyhow::Result<()> {
    let (url, password) = split_password(database_url)?;
    let mut file_arg = OsString::from("--file=");
    file_arg.push(file);
    let args = vec![
        OsString::from("--format=custom"),
        OsString::from("--no-password"),
        file_arg,
        format!("--dbname={url}").into(),
    ];
    run_pg("pg_dump", &args, password.as_deref()).await
}

/// Runs one of PostgreSQL's client programs; the password goes through the
/// environment, not the process list. Fails with the program's own message.
async fn run_pg(program: &str, args: &[OsString], password: Option<&str>) -> anyhow::Result<()> {
    let path = find_pg_program(program).with_context(|| {
        format!(
            "{program} not found: install PostgreSQL's client programs (Debian: apt-get install postgresql-client) or put {program} on PATH"
        )
    })?;
    let mut command = tokio::process::Command::new(&path);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .with_context(|| format!("cannot run {}", path.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        bail!(
            "{program} failed ({}): {}",
            output.status,
            message.join("; ")
        );
    }
    Ok(())
}

/// `program` on PATH, or in the newest of Debian's versioned directories.
fn find_pg_program(program: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(found) = on_path
        .iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
    {
        return Some(found);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin").join(program)))
        })
        .filter(|(_, p)| p.is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p)
}

/// The URL without its password, and the password.
fn split_password(database_url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut url = url::Url::parse(database_url)
        .with_context(|| format!("database_url {} is not a URL", redact(database_url)))?;
    let password = url.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    let _ = url.set_password(None);
    Ok((url.to_string(), password))
}

async fn verify_sqlite(file: &Path) -> anyhow::Result<i64> {
    match sql::sqlite_verify(file)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", file.display()))?
    {
        SqliteCheck::Intact { migrations } => Ok(migrations),
        SqliteCheck::Damaged(why) => bail!("{} is damaged: {why}", file.display()),
        SqliteCheck::NotLoggia => bail!("{} is not a Loggia database", file.display()),
    }
}

fn is_sqlite(database_url: &str) -> bool {
    database_url.starts_with("sqlite:")
}

fn local_media(config: &Config) -> Option<&Path> {
    (config.media_backend == MediaBackend::Local && config.media_dir.is_dir())
        .then_some(config.media_dir.as_path())
}

/// Whether `path` (which may not exist yet) lies inside the directory `dir`.
/// What `--force` may replace: an earlier backup, and nothing else — not a
/// data directory holding the live database or media by a slip of the hand.
fn replaceable(dest: &Path) -> anyhow::Result<()> {
    let not_a_backup = || {
        anyhow::anyhow!(
            "{} is not a Loggia backup (only {SQLITE_FILE}, {POSTGRES_FILE} and {MEDIA_DIR}/ may be in it): refusing to replace it",
            dest.display()
        )
    };
    if !dest.is_dir() {
        return Err(not_a_backup());
    }
    let mut found = false;
    for entry in std::fs::read_dir(dest)? {
        let name = entry?.file_name();
        match name.to_str() {
            Some(SQLITE_FILE | POSTGRES_FILE) => found = true,
            Some(MEDIA_DIR) => {}
            _ => return Err(not_a_backup()),
        }
    }
    if !found {
        return Err(not_a_backup());
    }
    Ok(())
}

fn inside(path: &Path, dir: &Path) -> bool {
    let Ok(dir) = dir.canonicalize() else {
        return false;
    };
    let parent = parent_of(path);
    parent
        .canonicalize()
        .is_ok_and(|parent| parent.starts_with(&dir))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A hidden name next to `path`, for work in progress.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "loggia-backup".into());
    parent_of(path).join(format!(".{name}.{what}-{}", random_token(6)))
}

/// A backup being written; removed unless `finish`ed.
struct Partial {
    path: PathBuf,
    done: bool,
}

impl Partial {
    fn create(dest: &Path) -> anyhow::Result<Self> {
        let parent = parent_of(dest);
        if !parent.is_dir() {
            bail!("the directory {} does not exist", parent.display());
        }
        let path = sibling(dest, "partial");
        std::fs::create_dir(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self { path, done: false })
    }

    /// Moves the finished backup to `dest`; an existing `dest` is replaced
    /// only with `force` (renamed away first, removed after).
    fn finish(mut self, dest: &Path, force: bool) -> anyhow::Result<()> {
        let old = if dest.exists() {
            if !force {
                bail!(
                    "{} appeared while the backup ran (use --force to replace it)",
                    dest.display()
                );
            }
            let old = sibling(dest, "old");
            std::fs::rename(dest, &old)
                .with_context(|| format!("cannot move the old {} away", dest.display()))?;
            Some(old)
        } else {
            None
        };
        std::fs::rename(&self.path, dest)
            .with_context(|| format!("cannot move the backup to {}", dest.display()))?;
        self.done = true;
        sync_dir(&parent_of(dest));
        if let Some(old) = old {
            remove_any(&old)
                .with_context(|| format!("the old backup is left at {}", old.display()))?;
        }
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn remove_any(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

async fn copy_tree_blocking(from: &Path, to: &Path) -> anyhow::Result<u64> {
    let (from, to) = (from.to_path_buf(), to.to_path_buf());
    tokio::task::spawn_blocking(move || {
        copy_tree(&from, &to)
            .with_context(|| format!("cannot copy the media files of {}", from.display()))
    })
    .await
    .context("the media copy stopped")?
}

/// Links (or copies) every file of `from` into `to`, keeping files already
/// there and skipping files still being written (`*.tmp-*`). Returns how
/// many files `to` received.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<u64> {
    std::fs::create_dir_all(to)?;
    let mut count = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            count += copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() && !name.to_string_lossy().contains(".tmp-") && !target.exists() {
            match std::fs::hard_link(entry.path(), &target) {
                Ok(()) => {}
                // Deleted since it was listed: it is no longer needed.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(_) => {
                    let temp = sibling(&target, "copying");
                    if let Err(e) = std::fs::copy(entry.path(), &temp) {
                        let _ = std::fs::remove_file(&temp);
                        if e.kind() == std::io::ErrorKind::NotFound {
                            continue;
                        }
                        return Err(e);
                    }
                    std::fs::rename(&temp, &target)?;
                }
            }
            count += 1;
        }
    }
    Ok(count)
}

fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot write {} to disk", path.display()))
}

/// Makes a rename durable; not every file system supports it, and the
/// rename itself is already done, so a failure is not an error.
fn sync_dir(dir: &Path) {
    let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url() {
        let (url, password) =
            split_password("postgres://loggia:p%40ss@db.example:5432/loggia?sslmode=require")
                .unwrap();
        assert_eq!(
            url,
            "postgres://loggia@db.example:5432/loggia?sslmode=require"
        );
        assert_eq!(password.as_deref(), Some("p@ss"));
        let (url, password) = split_password("postgres://db.example/loggia").unwrap();
        assert_eq!(url, "postgres://db.example/loggia");
        assert_eq!(password, None);
    }

    #[test]
    fn a_missing_program_is_not_found() {
        assert_eq!(find_pg_program("pg_no_such_program"), None);
    }

    #[test]
    fn a_backup_inside_the_media_directory_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let media = dir.path().join("media");
        std::fs::create_dir_all(media.join("sub")).unwrap();
        assert!(inside(&media.join("backup"), &media));
        assert!(inside(&media.join("sub/backup"), &media));
        assert!(!inside(&dir.path().join("backup"), &media));
    }
}
