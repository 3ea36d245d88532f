//! What the preview server shows: the current [`Snapshot`] (last good build, build number, the
//! paths the last build changed, the current problems), shared between the builder thread and
//! the HTTP tasks through a `tokio::sync::watch` channel.

use specbook_core::output::Files;
use std::sync::Arc;
use tokio::sync::watch;

/// One state of the preview.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// The files of the last good build (none before the first one).
    pub(crate) files: Option<Arc<Files>>,
    /// Increases by one whenever `files` changes.
    pub(crate) generation: u64,
    /// Paths added, changed or removed by the build that made this generation.
    pub(crate) changed: Arc<Vec<String>>,
    /// Plain-text diagnostics when the latest build failed (the last good build is still served).
    pub(crate) problems: Option<Arc<str>>,
}

/// Shared by every request handler.
#[derive(Clone, Debug)]
pub(crate) struct App {
    tx: Arc<watch::Sender<Arc<Snapshot>>>,
    instance: Arc<str>,
}

impl App {
    /// A new, empty preview. `instance` tells one server process from the next, so that an open
    /// page reloads when the server was restarted.
    pub(crate) fn new(instance: String) -> Self {
        let (tx, _) = watch::channel(Arc::new(Snapshot::default()));
        Self {
            tx: Arc::new(tx),
            instance: instance.into(),
        }
    }

    /// The current snapshot.
    pub(crate) fn current(&self) -> Arc<Snapshot> {
        self.tx.borrow().clone()
    }

    /// A receiver that wakes on every new snapshot.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.tx.subscribe()
    }

    /// This server's instance token.
    pub(crate) fn instance(&self) -> &str {
        &self.instance
    }

    /// Replaces the snapshot and wakes every event stream.
    pub(crate) fn publish(&self, snapshot: Snapshot) {
        self.tx.send_replace(Arc::new(snapshot));
    }
}
