//! Signs of life on the terminal for the long commands (import, export, verify): a bar
//! when the size is known, a spinner otherwise, on standard error, and nothing at all
//! when standard error is not a terminal (logs, CI, pipes).

use indicatif::{ProgressBar, ProgressStyle};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A bar over `total` bytes, or a spinner counting bytes when the total is unknown.
pub fn bytes(what: &str, total: Option<u64>) -> ProgressBar {
    let bar = match total {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {bytes} ({bytes_per_sec}, {elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A bar over `total` things.
pub fn count(what: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {human_pos}/{human_len} {per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A spinner with the time spent, for work whose size is not known ahead.
pub fn spinner(what: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// `baraza import` from `input` (of `size` bytes, when known), with a bar.
pub async fn import<R: AsyncRead + Unpin + Send>(
    store: &dyn baraza_store::Store,
    input: R,
    size: Option<u64>,
    only: Option<&baraza_core::JurisdictionId>,
) -> baraza_store::StoreResult<std::collections::BTreeMap<String, u64>> {
    let bar = bytes("importing", size);
    let input = Reading {
        inner: input,
        bar: bar.clone(),
    };
    let counts =
        baraza_store::portable::import_jsonl_of(store, tokio::io::BufReader::new(input), only)
            .await;
    bar.finish_and_clear();
    counts
}

/// `baraza export` to `out`, with a spinner counting the bytes written.
pub async fn export<W: AsyncWrite + Unpin + Send>(
    store: &dyn baraza_store::Store,
    only: Option<&baraza_core::JurisdictionId>,
    out: W,
    now: baraza_core::Timestamp,
) -> baraza_store::StoreResult<std::collections::BTreeMap<String, u64>> {
    let bar = bytes("exporting", None);
    let mut w = tokio::io::BufWriter::new(Writing {
        inner: out,
        bar: bar.clone(),
    });
    let counts = baraza_store::portable::export_jsonl(store, only, &mut w, now).await;
    bar.finish_and_clear();
    counts
}

/// A reader that moves a bar by the bytes read through it.
pub struct Reading<R> {
    pub inner: R,
    pub bar: ProgressBar,
}

impl<R: AsyncRead + Unpin> AsyncRead for Reading<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        self.bar.inc(read as u64);
        polled
    }
}

/// A writer that moves a bar by the bytes written through it.
pub struct Writing<W> {
    pub inner: W,
    pub bar: ProgressBar,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Writing<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &polled {
            self.bar.inc(*n as u64);
        }
        polled
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
