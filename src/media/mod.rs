//! Media files: processing uploads (`process` for images, `video`) and
//! storing files (`MediaStore`): in a local directory (`local`) or an
//! S3-compatible bucket (`s3`), chosen by configuration (`settings`). The
//! backend is an enum, not a trait object: two kinds, known at compile time.

pub mod local;
pub mod process;
pub mod s3;
pub mod settings;
pub mod video;

use std::path::{Path, PathBuf};

use futures_util::stream::BoxStream;

use crate::config::{Config, MediaBackend};
use crate::crypto::random_token;

/// Where media files live, and the URL they are linked at.
#[derive(Debug, Clone)]
pub struct MediaStore {
    backend: Backend,
    /// `{url_prefix}/{key}` is a file's public URL: Loggia's `/media/`, a
    /// CDN, or the bucket itself.
    url_prefix: String,
}

#[derive(Debug, Clone)]
enum Backend {
    /// A directory on this machine, served by Loggia under `/media/`.
    Local(PathBuf),
    /// A bucket; nodes keep nothing, so several can share it.
    S3(s3::Bucket),
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot store media: {0}")]
    Io(#[from] std::io::Error),
    #[error("the media bucket refused or did not answer: {0}")]
    Bucket(object_store::Error),
    #[error("invalid media key")]
    BadKey,
    #[error("the stored file is gone")]
    Missing,
    #[error("{0}")]
    Config(String),
}

/// A stored file's bytes, as they arrive.
pub type ByteStream = BoxStream<'static, std::io::Result<bytes::Bytes>>;

/// Stored files never change (new content gets a new key): caches may keep
/// them for a year.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The type a stored file is served with; `None` for what is never served
/// (an upload waiting to be processed).
pub fn content_type_of(key: &str) -> Option<&'static str> {
    match key.rsplit('.').next() {
        Some("jpg") => Some("image/jpeg"),
        Some("png") => Some("image/png"),
        Some("mp4") => Some("video/mp4"),
        _ => None,
    }
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

/// A stored file opened for serving: its length, and where to read it.
pub struct Opened {
    pub len: u64,
    source: Source,
}

enum Source {
    File(tokio::fs::File),
    Object(s3::Bucket, String),
}

impl Opened {
    /// Bytes `start..=end` (within `len`), or the whole file.
    pub async fn stream(self, range: Option<(u64, u64)>) -> Result<ByteStream, StorageError> {
        match self.source {
            Source::File(file) => local::stream(file, range).await,
            Source::Object(bucket, key) => bucket.stream(&key, range).await,
        }
    }
}

impl MediaStore {
    /// A local directory served by Loggia at `{base_url}/media/`.
    pub fn local(dir: &Path, base_url: &str) -> Self {
        MediaStore {
            backend: Backend::Local(dir.to_path_buf()),
            url_prefix: format!("{}/media", base_url.trim_end_matches('/')),
        }
    }

    /// The store the configuration describes (checked by `settings`).
    pub fn from_config(config: &Config) -> Result<Self, StorageError> {
        let backend = match config.media_backend {
            MediaBackend::Local => Backend::Local(config.media_dir.clone()),
            MediaBackend::S3 => Backend::S3(s3::Bucket::new(&s3::Settings {
                endpoint: &config.s3_endpoint,
                region: &config.s3_region,
                bucket: &config.s3_bucket,
                access_key_id: &config.s3_access_key_id,
                secret_access_key: &config.s3_secret_access_key,
                path_style: config.s3_path_style,
            })?),
        };
        let url_prefix = match config.media_base_url.trim_end_matches('/') {
            "" => format!("{}/media", config.base_url()),
            base => base.to_owned(),
        };
        Ok(MediaStore {
            backend,
            url_prefix,
        })
    }

    /// Makes sure files can be stored (at start): creates the directory, or
    /// writes and removes a probe object in the bucket.
    pub async fn prepare(&self) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Local(dir) => local::prepare(dir).await,
            Backend::S3(bucket) => bucket.prepare().await,
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

    /// Stores a file. Never leaves a half-written file under the real key:
    /// written to a temporary name and renamed, or an (atomic) S3 PUT.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(dir) => local::put(dir, key, bytes).await,
            Backend::S3(bucket) => bucket.put(key, bytes).await,
        }
    }

    /// Stores a local file (a transcoded video) the same way as `put`,
    /// without reading it into memory.
    pub async fn put_file(&self, key: &str, source: &Path) -> Result<(), StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(dir) => local::put_file(dir, key, source).await,
            Backend::S3(bucket) => bucket.put_file(key, source).await,
        }
    }

    /// Copies a stored file to a local path (for ffmpeg); false if missing.
    pub async fn fetch_to(&self, key: &str, dest: &Path) -> Result<bool, StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(dir) => local::fetch_to(dir, key, dest).await,
            Backend::S3(bucket) => bucket.fetch_to(key, dest).await,
        }
    }

    /// Opens a stored file for serving (in ranges); `None` if missing.
    pub async fn open(&self, key: &str) -> Result<Option<Opened>, StorageError> {
        check_key(key)?;
        Ok(match &self.backend {
            Backend::Local(dir) => local::open(dir, key).await?.map(|(file, len)| Opened {
                len,
                source: Source::File(file),
            }),
            Backend::S3(bucket) => bucket.len(key).await?.map(|len| Opened {
                len,
                source: Source::Object(bucket.clone(), key.to_owned()),
            }),
        })
    }

    /// Removes a stored file; a missing one is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(dir) => local::delete(dir, key).await,
            Backend::S3(bucket) => bucket.delete(key).await,
        }
    }

    /// The public URL of a stored file.
    pub fn url(&self, key: &str) -> String {
        format!("{}/{key}", self.url_prefix)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

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
        let opened = store.open(&other).await.expect("open").expect("exists");
        assert_eq!(opened.len, 4);
        let part: Vec<_> = opened
            .stream(Some((1, 2)))
            .await
            .expect("stream")
            .collect()
            .await;
        let part: Vec<u8> = part.into_iter().flat_map(|b| b.expect("bytes")).collect();
        assert_eq!(part, b"at");
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
