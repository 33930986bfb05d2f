//! Media files in a directory on this machine. Every write goes to a
//! temporary name and is renamed, so a crash or a full disk never leaves a
//! half-written file under a real key.

use std::io::SeekFrom;
use std::path::Path;

use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::{ByteStream, StorageError};
use crate::crypto::random_token;

/// Runs `write` on a temporary path next to `dir/key`, then renames it.
async fn write_then_rename<F, Fut>(dir: &Path, key: &str, write: F) -> Result<(), StorageError>
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: Future<Output = std::io::Result<()>>,
{
    let path = dir.join(key);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let temp = path.with_extension(format!("tmp-{}", random_token(6)));
    if let Err(e) = write(temp.clone()).await {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(e.into());
    }
    tokio::fs::rename(&temp, &path).await?;
    Ok(())
}

pub async fn put(dir: &Path, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
    write_then_rename(dir, key, |temp| async move {
        tokio::fs::write(temp, bytes).await
    })
    .await
}

pub async fn put_file(dir: &Path, key: &str, source: &Path) -> Result<(), StorageError> {
    write_then_rename(dir, key, |temp| async move {
        tokio::fs::copy(source, temp).await.map(|_| ())
    })
    .await
}

pub async fn fetch_to(dir: &Path, key: &str, dest: &Path) -> Result<bool, StorageError> {
    match tokio::fs::copy(dir.join(key), dest).await {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub async fn open(dir: &Path, key: &str) -> Result<Option<(tokio::fs::File, u64)>, StorageError> {
    match tokio::fs::File::open(dir.join(key)).await {
        Ok(file) => {
            let len = file.metadata().await?.len();
            Ok(Some((file, len)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Bytes `start..=end` of an opened file, or all of it.
pub async fn stream(
    mut file: tokio::fs::File,
    range: Option<(u64, u64)>,
) -> Result<ByteStream, StorageError> {
    Ok(match range {
        None => ReaderStream::new(file).boxed(),
        Some((start, end)) => {
            file.seek(SeekFrom::Start(start)).await?;
            ReaderStream::new(file.take(end - start + 1)).boxed()
        }
    })
}

pub async fn delete(dir: &Path, key: &str) -> Result<(), StorageError> {
    match tokio::fs::remove_file(dir.join(key)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Creates the directory; an error says which and why.
pub async fn prepare(dir: &Path) -> Result<(), StorageError> {
    tokio::fs::create_dir_all(dir).await.map_err(|e| {
        StorageError::Config(format!(
            "cannot create the media directory {}: {e}",
            dir.display()
        ))
    })
}
