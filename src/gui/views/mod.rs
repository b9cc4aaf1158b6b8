//! The ways to look at a list: a grid of tiles, a table, and the preview.

pub mod grid;
pub mod items;
pub mod list;
pub mod preview;
