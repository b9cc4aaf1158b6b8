//! GPU textures for thumbnails and previews, evicted by generation: over the memory budget
//! the entries unseen longest go, and once the screen is still every entry it does not show.

use std::collections::HashMap;

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::media::NoPicture;
use crate::thumbs::{Output, Request, ThumbService};

/// Pixels the cache may hold while scrolling: about 170 grid thumbnails, several screens'
/// worth. The texture of a tile far off screen is released (and once the screen is still,
/// every texture it does not show); scrolled back, it comes from the disk cache in a moment.
pub const TEXTURE_BUDGET_BYTES: usize = 32 * 1024 * 1024;

/// What a tile can show for its picture.
#[derive(Clone)]
pub enum Picture {
    Ready(TextureHandle),
    /// Asked for, not here yet.
    Pending,
    /// Will not come, and why.
    Failed(NoPicture),
}

struct Entry {
    texture: TextureHandle,
    bytes: usize,
    last_used: u64,
}

/// Textures by (content hash, size), with a memory budget.
pub struct TextureCache {
    entries: HashMap<(String, u32), Entry>,
    failed: HashMap<(String, u32), NoPicture>,
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
                Output::Failed { key, size, why } => {
                    self.failed.insert((key, size), why);
                }
                // Made ahead into the disk cache: a tile that wants it asks for it.
                Output::Made { .. } => {}
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
        if let Some(why) = self.failed.get(&k) {
            return Picture::Failed(why.clone());
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

    /// Once the screen has been still for a while: releases every texture the last frame
    /// did not show (scrolled back to, they come from the disk cache in a moment). Call
    /// before [`TextureCache::begin_frame`]. Whether anything was released.
    pub fn settle(&mut self) -> bool {
        let shown = self.generation;
        self.entries.retain(|_, e| e.last_used >= shown);
        let held = self.entries.values().map(|e| e.bytes).sum();
        let released = held < self.bytes;
        self.bytes = held;
        released
    }

    /// Forgets the failures remembered this session: asked again, a file that was away
    /// and is back shows (a failure that belongs to the file is remembered on disk).
    pub fn forget_failures(&mut self) {
        self.failed.clear();
    }

    /// Bytes of pixels held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// Hands memory the allocator keeps for reuse back to the system: after textures were
/// released (and the renderer has freed them, a frame later) it is not needed.
pub fn return_freed_memory() {
    crate::platform::return_freed_memory();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Kind;

    fn picture(key: &str) -> Output {
        Output::Ready {
            key: key.into(),
            size: 256,
            width: 4,
            height: 2,
            rgba: vec![200; 4 * 2 * 4],
        }
    }

    fn request(key: &str) -> Request {
        Request {
            key: key.into(),
            path: "/nowhere".into(),
            kind: Kind::Image,
            size: 256,
        }
    }

    #[test]
    fn over_budget_the_longest_unseen_go_and_a_still_screen_keeps_only_what_it_shows() {
        let ctx = egui::Context::default();
        // Room for three 32-byte pictures.
        let mut cache = TextureCache::new(96);
        for key in ["a", "b", "c"] {
            cache.begin_frame();
            cache.receive(&ctx, vec![picture(key)]);
            assert!(matches!(cache.get(None, request(key)), Picture::Ready(_)));
        }
        // A fourth arrives: the one unseen longest ("a") makes room.
        cache.begin_frame();
        cache.receive(&ctx, vec![picture("d")]);
        assert_eq!(cache.bytes(), 96);
        assert!(matches!(cache.get(None, request("a")), Picture::Pending));
        // The next frame shows only "c"; once the screen is still, the rest is released.
        cache.begin_frame();
        assert!(matches!(cache.get(None, request("c")), Picture::Ready(_)));
        assert!(cache.settle());
        assert_eq!(cache.bytes(), 32);
        cache.begin_frame();
        assert!(matches!(cache.get(None, request("c")), Picture::Ready(_)));
        assert!(matches!(cache.get(None, request("b")), Picture::Pending));
        assert!(!cache.settle(), "nothing more to release");
    }
}
