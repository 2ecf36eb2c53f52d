//! Fetching what citizens sent with their messages (WhatsApp photos): the webhook only
//! records the provider's media id, answering fast as Meta asks; this job downloads the
//! file, keeps it under the data folder by its SHA-256, and attaches it to the case
//! through the journal (`attach_media`). A provider outage leaves it pending for the next
//! round; a final refusal marks it failed.

use baraza_channels::SendError;
use baraza_channels::whatsapp::WhatsappGateway;
use baraza_core::lifecycle::{Action, Actor};
use baraza_core::{Attachment, Clock, Deadlines};
use baraza_store::{Store, StoreError, StoreResult};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;

pub struct MediaFetcher {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    whatsapp: Arc<WhatsappGateway>,
    /// Where files are kept, named by their SHA-256.
    dir: PathBuf,
}

impl MediaFetcher {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        whatsapp: Arc<WhatsappGateway>,
        dir: PathBuf,
    ) -> Self {
        Self {
            store,
            clock,
            whatsapp,
            dir,
        }
    }

    /// Fetch what is pending; returns how many files were attached.
    pub async fn run_once(&self) -> StoreResult<usize> {
        let mut attached = 0;
        for m in self.store.pending_media(20).await? {
            let (Some(media), Some(case_id)) = (m.media.as_ref(), m.case_id) else {
                // Held or duplicate messages opened no case: nothing to attach to.
                self.store
                    .set_media_status(m.id, baraza_core::outbound::MediaStatus::Failed)
                    .await?;
                continue;
            };
            let (bytes, media_type) = match self.whatsapp.fetch_media(&media.id).await {
                Ok(got) => got,
                // Fetching is harmless to repeat: an unanswered fetch is tried again too.
                Err(SendError::Retryable(why) | SendError::Uncertain(why)) => {
                    tracing::warn!(error = %why, "media fetch failed; will retry");
                    continue;
                }
                Err(SendError::Final(why)) => {
                    tracing::warn!(error = %why, "media fetch failed for good");
                    self.store
                        .set_media_status(m.id, baraza_core::outbound::MediaStatus::Failed)
                        .await?;
                    continue;
                }
            };
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let path = self.dir.join(&sha256);
            let written = async {
                tokio::fs::create_dir_all(&self.dir).await?;
                tokio::fs::write(&path, &bytes).await
            };
            if let Err(e) = written.await {
                return Err(StoreError::Backend(format!(
                    "keeping a file in {}: {e}",
                    self.dir.display()
                )));
            }
            let Some(case) = self.store.case_by_id(case_id).await? else {
                self.store
                    .set_media_status(m.id, baraza_core::outbound::MediaStatus::Failed)
                    .await?;
                continue;
            };
            let attachment = Attachment {
                published: false,
                media_type: media_type
                    .or_else(|| media.media_type.clone())
                    .unwrap_or_else(|| "application/octet-stream".into()),
                size_bytes: bytes.len() as u64,
                sha256: sha256.clone(),
                filename: None,
                url: Some(format!("media/{sha256}")),
            };
            let actor = Actor::system("media");
            let action = Action::AttachMedia { attachment };
            self.store
                .act(
                    case.number,
                    None,
                    actor,
                    action,
                    Deadlines::default(),
                    self.clock.now(),
                )
                .await?;
            self.store
                .set_media_status(m.id, baraza_core::outbound::MediaStatus::Fetched)
                .await?;
            attached += 1;
        }
        Ok(attached)
    }
}
