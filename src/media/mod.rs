//! Media files: processing uploads (`process` for images, `video`) and
//! storing files (`MediaStore`). The store is an enum so that an
//! S3-compatible backend can join the local directory without dynamic
//! dispatch.

pub mod process;
pub mod video;

use std::path::{Path, PathBuf};

use crate::crypto::random_token;

/// Where media files live.
#[derive(Debug, Clone)]
pub enum MediaStore {
    /// A directory on this machine, served by Loggia under `/media/`.
    Local { dir: PathBuf, base_url: String },
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot store media: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid media key")]
    BadKey,
}

/// What an upload is, from its first bytes (at least `SNIFF_BYTES` of them
/// when the file is that long); never from the name or type the client gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Image,
    Video(video::Container),
}

pub const SNIFF_BYTES: usize = 32;

pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    if process::sniff(head).is_some() {
        Some(Sniffed::Image)
    } else {
        video::Container::sniff(head).map(Sniffed::Video)
    }
}

/// Keys are generated here only: `YYYY/MM/<random>.<ext>`. Anything else
/// asked of the store (e.g. from a URL) is refused, so no path escapes.
fn check_key(key: &str) -> Result<(), StorageError> {
    let valid = !key.is_empty()
        && !key.starts_with('/')
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(StorageError::BadKey)
    }
}

impl MediaStore {
    pub fn local(dir: &Path, base_url: &str) -> Self {
        MediaStore::Local {
            dir: dir.to_path_buf(),
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// A fresh key for a file with this extension.
    pub fn new_key(extension: &str) -> String {
        let now = chrono::Utc::now();
        format!(
            "{}/{}.{extension}",
            now.format("%Y/%m"),
            random_token(18).replace('_', "x")
        )
    }

    /// Stores a file. Written to a temporary name and renamed, so a crash or
    /// a full disk never leaves a half-written file under the real key.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        check_key(key)?;
        match self {
            MediaStore::Local { dir, .. } => {
                let path = dir.join(key);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                let temp = path.with_extension(format!("tmp-{}", random_token(6)));
                if let Err(e) = tokio::fs::write(&temp, bytes).await {
                    let _ = tokio::fs::remove_file(&temp).await;
                    return Err(e.into());
                }
                tokio::fs::rename(&temp, &path).await?;
                Ok(())
            }
        }
    }

    /// Stores a local file (a transcoded video) the same way as `put`,
    /// without reading it into memory.
    pub async fn put_file(&self, key: &str, source: &Path) -> Result<(), StorageError> {
        check_key(key)?;
        match self {
            MediaStore::Local { dir, .. } => {
                let path = dir.join(key);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                let temp = path.with_extension(format!("tmp-{}", random_token(6)));
                if let Err(e) = tokio::fs::copy(source, &temp).await {
                    let _ = tokio::fs::remove_file(&temp).await;
                    return Err(e.into());
                }
                tokio::fs::rename(&temp, &path).await?;
                Ok(())
            }
        }
    }

    /// Copies a stored file to a local path (for ffmpeg); false if missing.
    pub async fn fetch_to(&self, key: &str, dest: &Path) -> Result<bool, StorageError> {
        check_key(key)?;
        match self {
            MediaStore::Local { dir, .. } => match tokio::fs::copy(dir.join(key), dest).await {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// Opens a stored file for serving (in ranges), with its length.
    pub async fn open(&self, key: &str) -> Result<Option<(tokio::fs::File, u64)>, StorageError> {
        check_key(key)?;
        match self {
            MediaStore::Local { dir, .. } => match tokio::fs::File::open(dir.join(key)).await {
                Ok(file) => {
                    let len = file.metadata().await?.len();
                    Ok(Some((file, len)))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        match self {
            MediaStore::Local { dir, .. } => match tokio::fs::remove_file(dir.join(key)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            },
        }
    }

    /// The public URL of a stored file.
    pub fn url(&self, key: &str) -> String {
        match self {
            MediaStore::Local { base_url, .. } => format!("{base_url}/media/{key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_the_store() {
        assert!(check_key("2026/11/abc.jpg").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a\\b",
            "a b.png",
        ] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
        assert!(check_key(&MediaStore::new_key("png")).is_ok());
    }

    #[tokio::test]
    async fn files_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = MediaStore::local(dir.path(), "http://x.test/");
        let key = MediaStore::new_key("png");
        store.put(&key, b"data").await.expect("put");
        assert_eq!(store.url(&key), format!("http://x.test/media/{key}"));
        let copy = dir.path().join("copy");
        assert!(store.fetch_to(&key, &copy).await.expect("fetch"));
        assert_eq!(std::fs::read(&copy).expect("read copy"), b"data");
        let other = MediaStore::new_key("mp4");
        store.put_file(&other, &copy).await.expect("put_file");
        std::fs::remove_file(&copy).expect("remove copy");
        let (_, len) = store.open(&other).await.expect("open").expect("exists");
        assert_eq!(len, 4);
        for key in [&key, &other] {
            store.delete(key).await.expect("delete");
            assert!(store.open(key).await.expect("open").is_none());
            assert!(!store.fetch_to(key, &copy).await.expect("fetch"));
        }
        // Nothing but the file itself was left around.
        let leftovers: Vec<_> = walk(dir.path());
        assert!(leftovers.iter().all(|p| p.is_dir()), "{leftovers:?}");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            }
            out.push(path);
        }
        out
    }
}
