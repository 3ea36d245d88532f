//! When the preview rebuilds: file events are filtered (only files the build reads count, and
//! reads are not changes), a file being written is waited for until it is closed, the build
//! starts as soon as the changed files are complete, and it is shown only once the folder has
//! been quiet for [`DEBOUNCE`] with no further change — else it is built again.

use super::build::{Builder, Need};
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{Event, EventKind};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the folder must be quiet before a build is shown.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(50);
/// How long to wait for more events of the same save before starting to build.
const SETTLE: Duration = Duration::from_millis(5);

/// The relevant changes since the last build was shown.
struct Batch {
    paths: Vec<PathBuf>,
    /// Files written to and not closed yet.
    writing: BTreeSet<PathBuf>,
    /// When the last relevant event came.
    last: Instant,
}

impl Batch {
    fn new() -> Self {
        Self {
            paths: Vec::new(),
            writing: BTreeSet::new(),
            last: Instant::now(),
        }
    }

    /// Takes in an event; true when it is a relevant change.
    fn absorb(&mut self, builder: &Builder, event: Event) -> bool {
        let paths: Vec<PathBuf> = event
            .paths
            .into_iter()
            .filter(|p| builder.need_of(p) != Need::Nothing)
            .collect();
        if paths.is_empty() {
            return false;
        }
        match event.kind {
            // Written and closed: complete.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for p in &paths {
                    self.writing.remove(p);
                }
            }
            // Opened or read (by the builder itself, among others): not a change.
            EventKind::Access(_) => return false,
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any)
            | EventKind::Create(CreateKind::File | CreateKind::Any) => {
                self.writing.extend(paths.iter().cloned());
            }
            // Renamed into place, removed, metadata: complete.
            _ => {
                for p in &paths {
                    self.writing.remove(p);
                }
            }
        }
        self.last = Instant::now();
        self.paths.extend(paths);
        true
    }

    /// Whether to start building: every written file is closed and the save's burst of events
    /// is over, or the folder has been quiet for the whole debounce time anyway.
    fn ready(&self) -> Result<(), Duration> {
        let quiet = self.last.elapsed();
        if (self.writing.is_empty() && quiet >= SETTLE) || quiet >= DEBOUNCE {
            return Ok(());
        }
        Err(if self.writing.is_empty() {
            SETTLE - quiet
        } else {
            DEBOUNCE - quiet
        })
    }
}

/// Runs until the watcher goes away: waits for a relevant change, builds as soon as the changed
/// files are complete, and shows the build once the folder has been quiet for [`DEBOUNCE`]
/// with no further change (otherwise builds again). The build overlaps the debounce time, so
/// an edit shows after about max(debounce, build time), not their sum.
pub(crate) fn rebuild_loop(rx: &Receiver<Event>, builder: &mut Builder) {
    loop {
        let mut batch = Batch::new();
        loop {
            let Ok(event) = rx.recv() else { return };
            if batch.absorb(builder, event) {
                break;
            }
        }
        loop {
            while let Err(wait) = batch.ready() {
                match rx.recv_timeout(wait) {
                    Ok(event) => {
                        batch.absorb(builder, event);
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            let pending = builder.prepare(builder.need(&batch.paths));
            let mut stale = false;
            loop {
                match rx.recv_timeout(DEBOUNCE.saturating_sub(batch.last.elapsed())) {
                    Ok(event) => stale |= batch.absorb(builder, event),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if !stale {
                builder.commit(pending);
                break;
            }
        }
    }
}
