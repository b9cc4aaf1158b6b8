//! Colours and sizes shared by the views.

use egui::Color32;

/// Irreversible actions and errors.
pub const DANGER: Color32 = Color32::from_rgb(0xE0, 0x4F, 0x4F);
/// The days-left badge.
pub const BADGE: Color32 = Color32::from_rgb(0x2F, 0x6F, 0xD0);
/// The days-left badge when little time is left.
pub const BADGE_SOON: Color32 = Color32::from_rgb(0xD0, 0x6A, 0x1F);
/// Selected tiles.
pub const SELECTED: Color32 = Color32::from_rgb(0x3A, 0x8D, 0xFF);
/// Tile backgrounds.
pub const TILE_BG: Color32 = Color32::from_gray(40);

/// Stars given.
pub const STAR: Color32 = Color32::from_rgb(0xF2, 0xC0, 0x3A);
/// A pick's mark.
pub const PICK: Color32 = Color32::from_rgb(0x5B, 0xC2, 0x6A);

/// A colour label's colour.
pub fn label_color(label: crate::store::culling::Label) -> Color32 {
    use crate::store::culling::Label;
    match label {
        Label::Red => Color32::from_rgb(0xE0, 0x4F, 0x4F),
        Label::Yellow => Color32::from_rgb(0xE8, 0xC5, 0x2E),
        Label::Green => Color32::from_rgb(0x4C, 0xB0, 0x5A),
        Label::Blue => Color32::from_rgb(0x3A, 0x7D, 0xE0),
        Label::Purple => Color32::from_rgb(0x9B, 0x59, 0xD0),
    }
}

/// Lays out the app's look.
pub fn apply(ctx: &egui::Context) {
    ctx.global_style_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        // Tall enough for the longest menu (the eight sort keys, about 29 points each at
        // this spacing): a menu that does not fit scrolls, with no sign of what is below.
        style.spacing.combo_height = 320.0;
    });
}
