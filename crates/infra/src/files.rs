//! Where learning materials' bytes live: an `object_store`, a local
//! directory by default and any S3-compatible store by URL
//! (`s3://bucket/prefix`, credentials and endpoint from the usual `AWS_*`
//! variables), through the same calls. The database holds only the key.
//!
//! Keys are built here from ids (`{school}/{material}`), never from a
//! client's file name, so no upload can name a path.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

/// A failure of the store (disk full, bucket unreachable, bad URL).
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    /// The store refused or failed.
    #[error("file store: {0}")]
    Store(#[from] object_store::Error),
    /// The configured location is unusable.
    #[error("file store location {location:?}: {detail}")]
    Location {
        /// What was configured.
        location: String,
        /// Why it does not work.
        detail: String,
    },
}

/// The material file store.
#[derive(Clone)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    describe: String,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("at", &self.describe)
            .finish()
    }
}

impl FileStore {
    /// Files under a local directory (created on first write).
    pub fn local(dir: &std::path::Path) -> Result<Self, FileStoreError> {
        let location = || dir.display().to_string();
        let absolute = std::path::absolute(dir).map_err(|e| FileStoreError::Location {
            location: location(),
            detail: e.to_string(),
        })?;
        let prefix = Path::from_absolute_path(&absolute).map_err(|e| FileStoreError::Location {
            location: location(),
            detail: e.to_string(),
        })?;
        Ok(Self {
            store: Arc::new(object_store::local::LocalFileSystem::new()),
            prefix,
            describe: absolute.display().to_string(),
        })
    }

    /// Files at a store URL: `file:///srv/files`, `s3://bucket/prefix`
    /// (with `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ENDPOINT` for MinIO and friends, `AWS_ALLOW_HTTP`).
    pub fn from_url(raw: &str) -> Result<Self, FileStoreError> {
        let bad = |detail: String| FileStoreError::Location {
            location: raw.to_owned(),
            detail,
        };
        let url = url::Url::parse(raw).map_err(|e| bad(e.to_string()))?;
        let options = std::env::vars()
            .filter(|(k, _)| k.starts_with("AWS_"))
            .map(|(k, v)| (k.to_ascii_lowercase(), v));
        let (store, prefix) =
            object_store::parse_url_opts(&url, options).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            store: Arc::from(store),
            prefix,
            describe: raw.to_owned(),
        })
    }

    fn path(&self, key: &str) -> Path {
        key.split('/')
            .fold(self.prefix.clone(), |p, part| p.child(part))
    }

    /// Stores `bytes` under `key`, replacing what was there.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), FileStoreError> {
        self.store
            .put(&self.path(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// The size of the file under `key` and a stream of its bytes.
    pub async fn open(
        &self,
        key: &str,
    ) -> Result<(u64, BoxStream<'static, Result<Bytes, FileStoreError>>), FileStoreError> {
        let got = self.store.get(&self.path(key)).await?;
        let size = got.meta.size;
        Ok((
            size,
            got.into_stream()
                .map(|chunk| chunk.map_err(FileStoreError::from))
                .boxed(),
        ))
    }

    /// Removes the file under `key` (a failed upload's leftovers).
    pub async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        self.store.delete(&self.path(key)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_store_writes_reads_and_deletes() {
        let dir = std::env::temp_dir().join(format!("ostinato-files-{}", uuid::Uuid::new_v4()));
        let store = FileStore::local(&dir).unwrap();
        store
            .put("school/material", Bytes::from_static(b"%PDF-1.7"))
            .await
            .unwrap();
        let (size, mut stream) = store.open("school/material").await.unwrap();
        assert_eq!(size, 8);
        let mut got = Vec::new();
        while let Some(chunk) = stream.next().await {
            got.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(got, b"%PDF-1.7");
        store.delete("school/material").await.unwrap();
        assert!(store.open("school/material").await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_store_url_must_name_a_known_scheme() {
        assert!(FileStore::from_url("not a url").is_err());
        assert!(FileStore::from_url("ftp://example.org/files").is_err());
        assert!(FileStore::from_url("s3://bucket/prefix").is_ok());
        assert!(FileStore::from_url("file:///tmp/ostinato-files").is_ok());
    }
}
