//! Backups of the embedded SQLite database that a county can trust.
//!
//! - `baraza backup FILE` takes a consistent copy while the server runs: SQLite's
//!   `VACUUM INTO` reads one snapshot of the WAL database (writers carry on) and writes a
//!   compact copy under a temporary name, renamed to FILE only once whole. The copy is then
//!   opened and verified with the same `verify` as the live database (every hash, link and
//!   case state); a copy that does not verify is set aside as `FILE.failed`, never left
//!   under the name an operator would restore from.
//! - Photos and documents are content-addressed files (named by their SHA-256): they go to
//!   a `media` folder beside the copy, each file once, checked against its name. Rotating
//!   copies in one folder share it.
//! - `baraza restore FILE` copies a backup (and its media) into an empty data directory,
//!   then verifies it there.
//! - `[backup]` in the configuration makes `serve` write a copy every `every_hours` to
//!   `dir`, keeping the newest `keep`.
//!
//! PostgreSQL has its own tools for this (`pg_dump`, point-in-time recovery): the README
//! says how, and `baraza verify` runs on the restored copy.

use anyhow::{Context, bail, ensure};
use baraza_store::{Store, VerifyReport};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Scheduled backups (`[backup]` in baraza.toml, or `BARAZA_BACKUP__*`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Schedule {
    /// The folder the copies go to (created if missing).
    pub dir: PathBuf,
    /// How many copies to keep; the oldest beyond that are removed.
    #[serde(default = "default_keep")]
    pub keep: usize,
    /// Hours between copies.
    #[serde(default = "default_every")]
    pub every_hours: u32,
}

fn default_keep() -> usize {
    7
}

fn default_every() -> u32 {
    24
}

/// A backup made and verified.
#[derive(Debug)]
pub struct Made {
    pub path: PathBuf,
    pub bytes: u64,
    /// Media files copied this time (the others were already there).
    pub media_copied: usize,
    pub report: VerifyReport,
}

/// The SQLite file a `sqlite://` URL names.
pub fn sqlite_path(database_url: &str) -> anyhow::Result<PathBuf> {
    let Some(rest) = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
    else {
        bail!(
            "backup and restore are for the embedded SQLite database; for PostgreSQL use pg_dump and point-in-time recovery (README, \"Backups\"), then `baraza verify` on the restored copy"
        );
    };
    let path = rest.split('?').next().unwrap_or(rest);
    ensure!(
        !path.is_empty() && path != ":memory:",
        "the database URL names no file"
    );
    Ok(PathBuf::from(path))
}

fn media_beside(file: &Path) -> PathBuf {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("media")
}

/// Copy the content-addressed files of `from` missing in `to`; each copied file is
/// checked against its name (a SHA-256) when it has one. Returns how many were copied.
fn copy_media(from: &Path, to: &Path) -> anyhow::Result<usize> {
    use sha2::{Digest, Sha256};
    if !from.is_dir() {
        return Ok(0);
    }
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let mut copied = 0;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let name = entry.file_name();
        let target = to.join(&name);
        if target.exists() {
            continue;
        }
        let partial = to.join(format!("{}.partial", name.to_string_lossy()));
        std::fs::copy(entry.path(), &partial)
            .with_context(|| format!("copying {}", entry.path().display()))?;
        let name = name.to_string_lossy();
        if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            let got = hex::encode(Sha256::digest(std::fs::read(&partial)?));
            if !got.eq_ignore_ascii_case(&name) {
                let _ = std::fs::remove_file(&partial);
                bail!(
                    "media file {} does not match its name (its SHA-256 is {got})",
                    entry.path().display()
                );
            }
        }
        std::fs::rename(&partial, &target)?;
        copied += 1;
    }
    Ok(copied)
}

async fn verify_file(path: &Path) -> anyhow::Result<VerifyReport> {
    let store = baraza_store_sqlite::SqliteStore::open(&format!("sqlite://{}", path.display()))
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let result = baraza_store::verify_journal(&store, None).await?;
    store.pool().close().await;
    result.map_err(|broken| anyhow::anyhow!("the copy does not verify: {broken}"))
}

/// Take a consistent copy of the running database into `to`, with its media, and verify
/// it. `to` must not exist.
pub async fn backup(store: &dyn Store, database_url: &str, to: &Path) -> anyhow::Result<Made> {
    let live = sqlite_path(database_url)?;
    ensure!(
        !to.exists(),
        "{} already exists: give a new file name (backups are never overwritten)",
        to.display()
    );
    if let Some(dir) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let partial = to.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    store
        .copy_into(&partial)
        .await
        .with_context(|| format!("copying {} to {}", live.display(), partial.display()))?;
    std::fs::rename(&partial, to)?;
    let report = match verify_file(to).await {
        Ok(r) => r,
        Err(e) => {
            let failed = to.with_extension("failed");
            let _ = std::fs::rename(to, &failed);
            return Err(e.context(format!("set aside as {}", failed.display())));
        }
    };
    let media_copied = copy_media(&media_beside(&live), &media_beside(to))?;
    Ok(Made {
        bytes: std::fs::metadata(to)?.len(),
        path: to.to_owned(),
        media_copied,
        report,
    })
}

/// Restore the backup `from` (and the media beside it) as the database `database_url`
/// names, which must not exist yet; then verify it in place.
pub async fn restore(from: &Path, database_url: &str) -> anyhow::Result<VerifyReport> {
    let target = sqlite_path(database_url)?;
    ensure!(from.is_file(), "{} is not a backup file", from.display());
    ensure!(
        !target.exists(),
        "{} already holds a database: restore into an empty data directory (or move it away first)",
        target.display()
    );
    // Check the backup itself before touching the target (on a scratch copy: opening a
    // database may convert its journal mode, and the backup stays as it was made).
    let scratch = tempfile::tempdir()?;
    let probe = scratch.path().join("probe.db");
    std::fs::copy(from, &probe)?;
    verify_file(&probe)
        .await
        .with_context(|| format!("{} is not a sound backup", from.display()))?;
    if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let partial = target.with_extension("restoring");
    std::fs::copy(from, &partial)
        .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
    std::fs::rename(&partial, &target)?;
    copy_media(&media_beside(from), &media_beside(&target))?;
    verify_file(&target).await
}

/// The copies `backup_dir` holds, oldest first.
fn copies(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("baraza-") && n.ends_with(".db"))
        })
        .collect();
    // Names carry the UTC time (baraza-20261204T081500Z.db): by name is by age.
    found.sort();
    Ok(found)
}

/// One round of scheduled backups: a new copy, then the oldest beyond `keep` removed.
pub async fn scheduled(
    store: &dyn Store,
    database_url: &str,
    schedule: &Schedule,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Made> {
    std::fs::create_dir_all(&schedule.dir)
        .with_context(|| format!("creating {}", schedule.dir.display()))?;
    let to = schedule
        .dir
        .join(format!("baraza-{}.db", now.format("%Y%m%dT%H%M%SZ")));
    let made = backup(store, database_url, &to).await?;
    let all = copies(&schedule.dir)?;
    let extra = all.len().saturating_sub(schedule.keep.max(1));
    for old in &all[..extra] {
        std::fs::remove_file(old).with_context(|| format!("removing {}", old.display()))?;
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlite_urls_name_a_file() {
        assert_eq!(
            sqlite_path("sqlite://data/baraza.db").unwrap(),
            PathBuf::from("data/baraza.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/baraza/baraza.db?mode=rwc").unwrap(),
            PathBuf::from("/var/lib/baraza/baraza.db")
        );
        let pg = sqlite_path("postgres://baraza@db/baraza").unwrap_err();
        assert!(pg.to_string().contains("pg_dump"), "{pg}");
    }

    #[test]
    fn media_are_copied_once_and_checked_against_their_names() {
        use sha2::{Digest, Sha256};
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        let photo = b"a photo";
        let name = hex::encode(Sha256::digest(photo));
        std::fs::write(from.path().join(&name), photo).unwrap();
        assert_eq!(copy_media(from.path(), to.path()).unwrap(), 1);
        assert_eq!(copy_media(from.path(), to.path()).unwrap(), 0, "once");
        assert_eq!(std::fs::read(to.path().join(&name)).unwrap(), photo);
        // A file whose content is not its name is refused, and nothing is left of it.
        let wrong = hex::encode(Sha256::digest(b"something else"));
        std::fs::write(from.path().join(&wrong), photo).unwrap();
        let e = copy_media(from.path(), to.path()).unwrap_err();
        assert!(e.to_string().contains("does not match its name"), "{e}");
        assert!(!to.path().join(&wrong).exists());
        assert!(std::fs::read_dir(to.path()).unwrap().count() == 1);
    }
}
