//! What a creator gives a picture to cull and organise it — a rating, a flag, a colour
//! label, keywords — as values: what XMP says and the library keeps are these.

/// Stars, 0 (none) to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Rating(u8);

impl Rating {
    pub const MAX: u8 = 5;

    /// `None` above five stars.
    pub fn new(stars: u8) -> Option<Rating> {
        (stars <= Rating::MAX).then_some(Rating(stars))
    }

    pub fn stars(self) -> u8 {
        self.0
    }
}

/// Picked, rejected, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Flag {
    #[default]
    None,
    Pick,
    Reject,
}

impl Flag {
    /// The flag as the command line and `--json` name it (`None` for no flag).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Flag::None => None,
            Flag::Pick => Some("pick"),
            Flag::Reject => Some("reject"),
        }
    }

    pub fn parse(text: &str) -> Option<Flag> {
        match text.to_ascii_lowercase().as_str() {
            "pick" => Some(Flag::Pick),
            "reject" => Some(Flag::Reject),
            "none" => Some(Flag::None),
            _ => None,
        }
    }

    /// As stored: 1 pick, -1 reject, 0 none.
    pub fn code(self) -> i64 {
        match self {
            Flag::None => 0,
            Flag::Pick => 1,
            Flag::Reject => -1,
        }
    }
}

impl serde::Serialize for Flag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.name().serialize(s)
    }
}

/// A colour label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Red,
    Yellow,
    Green,
    Blue,
    Purple,
}

impl Label {
    pub const ALL: [Label; 5] = [
        Label::Red,
        Label::Yellow,
        Label::Green,
        Label::Blue,
        Label::Purple,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Label::Red => "red",
            Label::Yellow => "yellow",
            Label::Green => "green",
            Label::Blue => "blue",
            Label::Purple => "purple",
        }
    }

    pub fn parse(text: &str) -> Option<Label> {
        Label::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(text))
    }
}

impl serde::Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.name().serialize(s)
    }
}

/// A keyword's path from the top of the keyword tree, its levels joined by `|`
/// (`Places|Portugal|Lisbon`), each level trimmed and none empty. Two keywords that
/// differ only in case are one keyword (the first spelling is kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Keyword(String);

/// The longest keyword path taken, in bytes.
pub const MAX_KEYWORD_BYTES: usize = 1_000;

impl Keyword {
    /// A keyword from what the user typed; why not, for the user.
    pub fn parse(text: &str) -> Result<Keyword, String> {
        let levels: Vec<&str> = text.split('|').map(str::trim).collect();
        if levels.iter().any(|l| l.is_empty()) {
            return Err(format!(
                "{text:?} is not a keyword: each level between | needs a name"
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(format!(
                "{text:?} is not a keyword: it holds a control character"
            ));
        }
        let path = levels.join("|");
        if path.len() > MAX_KEYWORD_BYTES {
            return Err(format!(
                "a keyword is at most {MAX_KEYWORD_BYTES} bytes long"
            ));
        }
        Ok(Keyword(path))
    }

    pub fn path(&self) -> &str {
        &self.0
    }

    /// It and the keywords above it, from the top (`Places`, `Places|Portugal`, …).
    pub fn with_ancestors(&self) -> impl Iterator<Item = &str> {
        self.0
            .match_indices('|')
            .map(|(at, _)| &self.0[..at])
            .chain(std::iter::once(self.0.as_str()))
    }

    /// The same for two spellings that differ only in case.
    pub fn key(path: &str) -> String {
        path.to_lowercase()
    }
}
