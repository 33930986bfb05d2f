//! Media files in an S3-compatible bucket (AWS, MinIO, Garage, Ceph, R2, …)
//! through `object_store`, with `ring` for signing and our reqwest for HTTP.
//! Nothing is kept on the node, so any number of nodes can share a bucket.
//!
//! S3 makes an object visible only once its PUT (or its multipart upload)
//! completed, so a failed write never leaves a half-written object under a
//! real key; an abandoned multipart upload is aborted.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt,
    PutMultipartOptions, PutOptions, RetryConfig, WriteMultipart,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{ByteStream, StorageError, content_type_of};

/// Files up to this size go up in one PUT; larger ones in parts of this
/// size (S3 wants parts of at least 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;

/// What `s3_*` settings say.
pub struct Settings<'a> {
    pub endpoint: &'a str,
    pub region: &'a str,
    pub bucket: &'a str,
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub path_style: bool,
}

#[derive(Debug, Clone)]
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    /// For messages: `"media" at https://…`.
    pub name: String,
}

fn object_error(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { .. } => StorageError::Missing,
        other => StorageError::Bucket(other),
    }
}

/// Content type and caching of a new object, so that a CDN or the bucket
/// itself serves it as Loggia would.
fn attributes(key: &str) -> Attributes {
    let mut attributes = Attributes::new();
    match content_type_of(key) {
        Some(content_type) => {
            attributes.insert(Attribute::ContentType, content_type.into());
            attributes.insert(Attribute::CacheControl, super::CACHE_CONTROL.into());
        }
        None => {
            attributes.insert(Attribute::ContentType, "application/octet-stream".into());
        }
    }
    attributes
}

impl Bucket {
    pub fn new(settings: &Settings<'_>) -> Result<Self, StorageError> {
        // Building reqwest's client needs a TLS provider: ours is ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(settings.bucket)
            .with_region(settings.region)
            .with_access_key_id(settings.access_key_id)
            .with_secret_access_key(settings.secret_access_key)
            .with_virtual_hosted_style_request(!settings.path_style)
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(settings.endpoint.starts_with("http://"))
                    .with_connect_timeout(Duration::from_secs(5))
                    // Videos stream for longer than any fixed total; a
                    // stalled transfer is what should fail.
                    .with_timeout_disabled()
                    .with_read_timeout(Duration::from_secs(30)),
            )
            // An upload waits for this: fail within seconds, not minutes.
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
                ..RetryConfig::default()
            });
        let endpoint = endpoint_url(settings)?;
        if let Some(endpoint) = &endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder.build().map_err(StorageError::Bucket)?;
        let place = endpoint.unwrap_or_else(|| format!("AWS region {}", settings.region));
        Ok(Self {
            store: Arc::new(store),
            name: format!("{:?} at {place}", settings.bucket),
        })
    }

    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let options = PutOptions {
            attributes: attributes(key),
            ..PutOptions::default()
        };
        self.store
            .put_opts(&ObjectPath::from(key), bytes.to_vec().into(), options)
            .await
            .map_err(StorageError::Bucket)?;
        Ok(())
    }

    /// Uploads a local file: one PUT when small, in parts otherwise.
    pub async fn put_file(&self, key: &str, source: &Path) -> Result<(), StorageError> {
        let mut file = tokio::fs::File::open(source).await?;
        let len = file.metadata().await?.len();
        if len <= PART_BYTES as u64 {
            let mut bytes = Vec::with_capacity(len as usize);
            file.read_to_end(&mut bytes).await?;
            return self.put(key, &bytes).await;
        }
        let options = PutMultipartOptions {
            attributes: attributes(key),
            ..PutMultipartOptions::default()
        };
        let upload = self
            .store
            .put_multipart_opts(&ObjectPath::from(key), options)
            .await
            .map_err(StorageError::Bucket)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut chunk = vec![0; 1024 * 1024];
        loop {
            let read = match file.read(&mut chunk).await {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(e.into());
                }
            };
            if let Err(e) = writer.wait_for_capacity(2).await {
                let _ = writer.abort().await;
                return Err(StorageError::Bucket(e));
            }
            writer.write(&chunk[..read]);
        }
        // Aborts the upload itself when it fails.
        writer.finish().await.map_err(StorageError::Bucket)?;
        Ok(())
    }

    pub async fn fetch_to(&self, key: &str, dest: &Path) -> Result<bool, StorageError> {
        let mut stream = match self.store.get(&ObjectPath::from(key)).await {
            Ok(found) => found.into_stream(),
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(StorageError::Bucket(e)),
        };
        let mut file = tokio::fs::File::create(dest).await?;
        while let Some(bytes) = stream.next().await {
            file.write_all(&bytes.map_err(object_error)?).await?;
        }
        file.flush().await?;
        Ok(true)
    }

    /// The length of a stored object, if there is one.
    pub async fn len(&self, key: &str) -> Result<Option<u64>, StorageError> {
        match self.store.head(&ObjectPath::from(key)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(StorageError::Bucket(e)),
        }
    }

    /// Bytes `start..=end` of an object, or all of it.
    pub async fn stream(
        &self,
        key: &str,
        range: Option<(u64, u64)>,
    ) -> Result<ByteStream, StorageError> {
        let options = GetOptions {
            range: range.map(|(start, end)| GetRange::Bounded(start..end + 1)),
            ..GetOptions::default()
        };
        let found = self
            .store
            .get_opts(&ObjectPath::from(key), options)
            .await
            .map_err(object_error)?;
        Ok(found.into_stream().map_err(std::io::Error::other).boxed())
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StorageError::Bucket(e)),
        }
    }

    /// Writes and removes a small object: the bucket exists, and the keys
    /// may write and delete in it. An error names the settings to check.
    pub async fn prepare(&self) -> Result<(), StorageError> {
        let probe = ObjectPath::from("loggia-write-check");
        let note = b"Loggia checks that it can write here.".to_vec();
        let result = match self.store.put(&probe, note.into()).await {
            Ok(_) => self.store.delete(&probe).await,
            Err(e) => Err(e),
        };
        result.map_err(|e| {
            StorageError::Config(format!(
                "cannot write to the S3 bucket {} (check s3_bucket, s3_endpoint, s3_region, \
                 s3_access_key_id and s3_secret_access_key): {}",
                self.name,
                // S3 explains in XML, over several lines.
                e.to_string().replace(['\r', '\n'], " ")
            ))
        })
    }
}

/// The endpoint object_store should address: as configured for path-style
/// requests, with the bucket in the host name otherwise (`None`: AWS's).
fn endpoint_url(settings: &Settings<'_>) -> Result<Option<String>, StorageError> {
    let endpoint = settings.endpoint.trim_end_matches('/');
    if endpoint.is_empty() {
        return Ok(None);
    }
    if settings.path_style {
        return Ok(Some(endpoint.to_owned()));
    }
    let mut url =
        url::Url::parse(endpoint).map_err(|e| StorageError::Config(format!("s3_endpoint: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    url.set_host(Some(&format!("{}.{host}", settings.bucket)))
        .map_err(|e| StorageError::Config(format!("s3_endpoint: {e}")))?;
    Ok(Some(url.as_str().trim_end_matches('/').to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(endpoint: &str, path_style: bool) -> Settings<'_> {
        Settings {
            endpoint,
            region: "eu-west-1",
            bucket: "media",
            access_key_id: "id",
            secret_access_key: "secret",
            path_style,
        }
    }

    #[test]
    fn endpoints_put_the_bucket_where_the_style_wants_it() {
        let url = |endpoint, path_style| endpoint_url(&settings(endpoint, path_style)).unwrap();
        assert_eq!(url("", false), None);
        assert_eq!(
            url("http://127.0.0.1:9000/", true).as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            url("https://s3.example.com", false).as_deref(),
            Some("https://media.s3.example.com")
        );
        assert_eq!(
            url("https://s3.example.com:8443", false).as_deref(),
            Some("https://media.s3.example.com:8443")
        );
    }

    #[test]
    fn objects_carry_the_type_they_are_served_with() {
        let jpeg = attributes("2026/11/a.jpg");
        assert_eq!(
            jpeg.get(&Attribute::ContentType).map(|v| v.as_ref()),
            Some("image/jpeg")
        );
        assert!(jpeg.get(&Attribute::CacheControl).is_some());
        let upload = attributes("2026/11/a.upload");
        assert_eq!(
            upload.get(&Attribute::ContentType).map(|v| v.as_ref()),
            Some("application/octet-stream")
        );
        assert!(upload.get(&Attribute::CacheControl).is_none());
    }
}
