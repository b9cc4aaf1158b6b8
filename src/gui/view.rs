//! What drawing sees and may do. The tabs, views and dialogs read a [`View`] and change
//! nothing in it: they fetch pictures and record [`Command`]s in [`Acts`], which the app
//! applies once the frame is drawn.

use std::collections::HashMap;

use super::command::Command;
use super::state::{Prefs, Preview, Shown, Toast};
use super::textures::{Picture, TextureCache};
use super::worker::Snapshot;
use crate::library::{CollectionId, ImportProgress};
use crate::thumbs::{Request, ThumbService};

/// The state a frame draws from, read-only.
pub struct View<'a> {
    pub snap: &'a Snapshot,
    pub prefs: &'a Prefs,
    /// The first snapshot has arrived.
    pub loaded: bool,
    pub gallery: &'a Shown,
    /// The records of the Gallery's rows drawn (fetched as they are drawn).
    pub rows: &'a super::rows::Rows,
    pub trash: &'a Shown,
    /// The collection the Gallery shows (`None`: all items).
    pub collection: Option<CollectionId>,
    /// Items directly in each collection, for the tree.
    pub collection_counts: &'a HashMap<CollectionId, usize>,
    /// The trashed collection the Trash shows the contents of.
    pub trash_open: Option<CollectionId>,
    /// Each trashed collection's cover, an index into `snap.trash_inside`.
    pub trash_covers: &'a HashMap<CollectionId, usize>,
    pub preview: Option<&'a Preview>,
    pub toast: Option<&'a Toast>,
    pub progress: Option<&'a ImportProgress>,
    pub status: Option<&'a str>,
    /// The library thread is working.
    pub busy: bool,
    /// Thumbnails made ahead so far, of how many.
    pub making_thumbnails: Option<(usize, usize)>,
}

/// What drawing may do: fetch pictures, and record what the user asked for.
pub struct Acts<'a> {
    pub pictures: Pictures<'a>,
    pub commands: Vec<Command>,
}

impl Acts<'_> {
    /// Records a command, applied after the frame is drawn.
    pub fn ask(&mut self, command: Command) {
        self.commands.push(command);
    }
}

/// Thumbnails and previews: on screen when ready, asked for when not.
pub struct Pictures<'a> {
    pub textures: &'a mut TextureCache,
    pub thumbs: Option<&'a mut ThumbService>,
    /// The size of grid thumbnail the tiles are drawn at (see [`crate::thumbs::grid_px`]).
    pub grid_px: u32,
}

impl Pictures<'_> {
    pub fn get(&mut self, req: Request) -> Picture {
        self.textures.get(self.thumbs.as_deref_mut(), req)
    }
}
