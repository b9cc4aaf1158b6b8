//! GPU textures for thumbnails and previews, evicted by generation: an entry not used this
//! frame may go when the cache is over its memory budget.

use std::collections::HashMap;

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::thumbs::{Output, Request, ThumbService};

/// Pixels the cache may hold: about 320 grid thumbnails, a few screens' worth. The
/// texture of a tile far off screen is released; scrolled back, it comes from the disk
/// cache in a moment.
pub const TEXTURE_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// What a tile can show for its picture.
#[derive(Clone)]
pub enum Picture {
    Ready(TextureHandle),
    /// Asked for, not here yet.
    Pending,
    /// Will not come: the reason for the user.
    Failed(String),
}

struct Entry {
    texture: TextureHandle,
    bytes: usize,
    last_used: u64,
}

/// Textures by (content hash, size), with a memory budget.
pub struct TextureCache {
    entries: HashMap<(String, u32), Entry>,
    failed: HashMap<(String, u32), String>,
    bytes: usize,
    budget_bytes: usize,
    generation: u64,
}

impl TextureCache {
    pub fn new(budget_bytes: usize) -> Self {
        TextureCache {
            entries: HashMap::new(),
            failed: HashMap::new(),
            bytes: 0,
            budget_bytes,
            generation: 0,
        }
    }

    /// Starts a frame: entries used from now on count as in use.
    pub fn begin_frame(&mut self) {
        self.generation += 1;
    }

    /// Uploads finished pictures and remembers failures (so they are not retried).
    pub fn receive(&mut self, ctx: &egui::Context, outputs: Vec<Output>) {
        for out in outputs {
            match out {
                Output::Ready {
                    key,
                    size,
                    width,
                    height,
                    rgba,
                } => {
                    let image = ColorImage::from_rgba_unmultiplied(
                        [width as usize, height as usize],
                        &rgba,
                    );
                    let texture =
                        ctx.load_texture(format!("{key}-{size}"), image, TextureOptions::LINEAR);
                    let bytes = rgba.len();
                    self.bytes += bytes;
                    if let Some(old) = self.entries.insert(
                        (key, size),
                        Entry {
                            texture,
                            bytes,
                            last_used: self.generation,
                        },
                    ) {
                        self.bytes -= old.bytes;
                    }
                }
                Output::Failed { key, size, reason } => {
                    self.failed.insert((key, size), reason);
                }
            }
        }
        self.evict();
    }

    /// The picture for `req`, asking the service for it when needed.
    pub fn get(&mut self, thumbs: Option<&mut ThumbService>, req: Request) -> Picture {
        let k = (req.key.clone(), req.size);
        if let Some(e) = self.entries.get_mut(&k) {
            e.last_used = self.generation;
            return Picture::Ready(e.texture.clone());
        }
        if let Some(reason) = self.failed.get(&k) {
            return Picture::Failed(reason.clone());
        }
        match thumbs {
            Some(t) => {
                t.request(req);
                Picture::Pending
            }
            None => Picture::Pending,
        }
    }

    fn evict(&mut self) {
        if self.bytes <= self.budget_bytes {
            return;
        }
        let mut old: Vec<((String, u32), u64)> = self
            .entries
            .iter()
            .filter(|(_, e)| e.last_used < self.generation)
            .map(|(k, e)| (k.clone(), e.last_used))
            .collect();
        old.sort_by_key(|(_, used)| *used);
        for (k, _) in old {
            if self.bytes <= self.budget_bytes {
                break;
            }
            if let Some(e) = self.entries.remove(&k) {
                self.bytes -= e.bytes;
            }
        }
    }

    /// Bytes of pixels held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}
