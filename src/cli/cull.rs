//! `shoebox rate`, `flag`, `label`, `tag` and `untag`: what §5 of the spec describes, on
//! many items at once, all or none.

use anyhow::bail;

use super::print_json;
use crate::library::{Cull, ItemId, Library};
use crate::store::culling::{Flag, Keyword, Label, Rating};

/// `rate STARS`.
pub fn rating(stars: &str) -> anyhow::Result<Cull> {
    match stars.trim().parse::<u8>().ok().and_then(Rating::new) {
        Some(r) => Ok(Cull::Rate(r)),
        None => bail!("a rating is 0 to 5 stars, not {stars:?}"),
    }
}

/// `flag pick|reject|none`.
pub fn flag(value: &str) -> anyhow::Result<Cull> {
    match Flag::parse(value.trim()) {
        Some(f) => Ok(Cull::Flag(f)),
        None => bail!("a flag is pick, reject or none, not {value:?}"),
    }
}

/// `label red|yellow|green|blue|purple|none`.
pub fn label(colour: &str) -> anyhow::Result<Cull> {
    let colour = colour.trim();
    if colour.eq_ignore_ascii_case("none") {
        return Ok(Cull::Label(None));
    }
    match Label::parse(colour) {
        Some(l) => Ok(Cull::Label(Some(l))),
        None => bail!("a colour label is red, yellow, green, blue, purple or none, not {colour:?}"),
    }
}

/// `tag KEYWORD` (`untag` when `give` is false).
pub fn keyword(text: &str, give: bool) -> anyhow::Result<Cull> {
    let k = Keyword::parse(text).map_err(anyhow::Error::msg)?;
    Ok(if give { Cull::Tag(k) } else { Cull::Untag(k) })
}

/// Makes the change and says how many items it changed, and which XMP sidecars could not
/// be written (the change stays in the library all the same).
pub fn run(lib: &mut Library, json: bool, change: &Cull, ids: &[ItemId]) -> anyhow::Result<()> {
    let culled = lib.cull(ids, change)?;
    let changed = culled.changed;
    for problem in &culled.unwritten {
        eprintln!("shoebox: {problem}");
    }
    if json {
        return print_json(&serde_json::json!({
            "changed": changed,
            "items": ids,
            "unwritten": culled.unwritten,
        }));
    }
    let what = match change {
        Cull::Rate(r) if r.stars() == 0 => "rating cleared".to_string(),
        Cull::Rate(r) if r.stars() == 1 => "rated 1 star".to_string(),
        Cull::Rate(r) => format!("rated {} stars", r.stars()),
        Cull::Flag(f) => match f.name() {
            Some(name) => format!("flagged {name}"),
            None => "flag cleared".to_string(),
        },
        Cull::Label(Some(l)) => format!("labelled {}", l.name()),
        Cull::Label(None) => "label cleared".to_string(),
        Cull::Tag(k) => format!("tagged {}", super::shown(k.path())),
        Cull::Untag(k) => format!("untagged {}", super::shown(k.path())),
    };
    let changed_items = crate::library::items(changed);
    match ids.len().saturating_sub(changed) {
        0 => println!("{what}: {changed_items}"),
        1 => println!("{what}: {changed_items} (1 already was)"),
        n => println!("{what}: {changed_items} ({n} already were)"),
    }
    Ok(())
}
