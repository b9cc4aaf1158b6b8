//! The search syntax (SPEC §5): plain words and terms, all of which must match.
//!
//! ```text
//! porto rating>=3 flag:pick label:red keyword:"Places|Portugal" type:raw camera:canon
//! taken:2024-06 taken:2024-01-01..2024-03-31 -flag:reject
//! ```
//!
//! A plain word matches an item's name, keywords, camera or collection path (ignoring
//! case); `-` before a word or term negates it. A search is parsed once into [`Search`],
//! whose terms are typed values; what does not parse is refused with a message naming it.

use chrono::{NaiveDate, TimeZone};

use super::Kind as AssetKind;
use crate::clock::UnixSecs;
use crate::media::probe::{RAW, ext_lower};
use crate::store::culling::{Culling, Flag, Keyword, Label};
use crate::store::{CollectionId, Filter};

/// A parsed search: every term must match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    pub terms: Vec<Term>,
}

/// One term, negated or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub not: bool,
    pub test: Test,
    /// As the user would type it (quoted again where it holds a space): the filter bar's
    /// chips show it, and a search is written out again from its terms.
    pub text: String,
}

/// What one term asks of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// A plain word (lowercase): in the name, a keyword, the camera or the collection path.
    Word(String),
    Rating(Compare, u8),
    Flag(Flag),
    /// A colour label, or none (`None`).
    Label(Option<Label>),
    /// A keyword: one level matched at any level, or a path and everything below it.
    Keyword(Keyword),
    Type(FileType),
    /// Part of the camera's name (lowercase).
    Camera(String),
    /// Taken in `[from, until)`.
    Taken {
        from: UnixSecs,
        until: UnixSecs,
    },
}

pub use crate::store::Compare;

/// What an item is, as `type:` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Photo,
    Raw,
    Video,
    Audio,
    Document,
    Other,
}

impl FileType {
    const NAMES: [(&'static str, FileType); 6] = [
        ("photo", FileType::Photo),
        ("raw", FileType::Raw),
        ("video", FileType::Video),
        ("audio", FileType::Audio),
        ("document", FileType::Document),
        ("other", FileType::Other),
    ];

    /// Its name in `type:` (and in the store's `file_type`).
    pub fn name(self) -> &'static str {
        FileType::NAMES
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("other", |(name, _)| name)
    }

    /// What a file of this kind and name is.
    pub fn of(kind: AssetKind, name: &str) -> FileType {
        match kind {
            AssetKind::Video => FileType::Video,
            AssetKind::Audio => FileType::Audio,
            AssetKind::Other => FileType::Other,
            AssetKind::Image => {
                let ext = ext_lower(name);
                if RAW.contains(&ext.as_str()) {
                    FileType::Raw
                } else if ext == "pdf" {
                    FileType::Document
                } else {
                    FileType::Photo
                }
            }
        }
    }
}

/// What a search looks at in an item (in the Gallery or in the Trash).
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub name: &'a str,
    /// Its collection's path ("" for the top).
    pub location: &'a str,
    pub camera: Option<&'a str>,
    pub kind: AssetKind,
    pub captured_at: Option<UnixSecs>,
    pub culling: &'a Culling,
}

impl Search {
    /// Parses what the user typed, with dates in `zone` (the computer's, in the app).
    pub fn parse_in<Tz: TimeZone>(text: &str, zone: &Tz) -> Result<Search, String> {
        let mut terms = Vec::new();
        for token in tokens(text)? {
            let (not, token) = match token.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest.to_string()),
                _ => (false, token),
            };
            terms.push(Term {
                not,
                test: test(&token, zone)?,
                text: format!("{}{}", if not { "-" } else { "" }, quoted(&token)),
            });
        }
        Ok(Search { terms })
    }

    /// [`Search::parse_in`] the computer's time zone.
    pub fn parse(text: &str) -> Result<Search, String> {
        Search::parse_in(text, &chrono::Local)
    }

    pub fn matches(&self, item: &Facts<'_>) -> bool {
        self.terms.iter().all(|t| t.test.matches(item) != t.not)
    }

    /// Whether an entry of the Trash (or an item inside a trashed collection) matches: an
    /// item as in the Gallery; a collection by its name, when the search is words alone.
    pub fn matches_trashed(&self, e: &super::TrashEntry) -> bool {
        match (e.asset_kind, e.culling.as_ref()) {
            (Some(kind), Some(culling)) => self.matches(&Facts {
                name: &e.name,
                location: &e.original_location,
                camera: e.camera.as_deref(),
                kind,
                captured_at: e.captured_at,
                culling,
            }),
            _ => self.terms.iter().all(|t| match &t.test {
                Test::Word(w) => contains(&e.name, w) != t.not,
                _ => false,
            }),
        }
    }

    /// The search as the user would type it.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self.terms.iter().map(|t| t.text.as_str()).collect();
        texts.join(" ")
    }

    /// This search with `token` (a term as typed) in place of every term asking the same
    /// thing (a rating, a flag, a label, a type…; any of them, negated or not), or without
    /// them (`None`). A word is added beside the others.
    pub fn with(&self, kind: &Test, token: Option<&str>) -> Result<Search, String> {
        let same = |t: &Term| {
            !matches!(t.test, Test::Word(_))
                && std::mem::discriminant(&t.test) == std::mem::discriminant(kind)
        };
        let mut terms: Vec<Term> = self.terms.iter().filter(|t| !same(t)).cloned().collect();
        if let Some(token) = token {
            terms.extend(Search::parse(token)?.terms);
        }
        Ok(Search { terms })
    }

    /// No terms: everything matches.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

impl Test {
    pub fn matches(&self, item: &Facts<'_>) -> bool {
        let c = item.culling;
        match self {
            Test::Word(w) => {
                contains(item.name, w)
                    || contains(item.location, w)
                    || item.camera.is_some_and(|cam| contains(cam, w))
                    || c.keywords.iter().any(|k| contains(k, w))
            }
            Test::Rating(cmp, n) => {
                let r = c.rating.stars();
                match cmp {
                    Compare::Less => r < *n,
                    Compare::AtMost => r <= *n,
                    Compare::Equal => r == *n,
                    Compare::AtLeast => r >= *n,
                    Compare::More => r > *n,
                }
            }
            Test::Flag(f) => c.flag == *f,
            Test::Label(l) => c.label == *l,
            Test::Keyword(k) => c.keywords.iter().any(|have| keyword_matches(k, have)),
            Test::Type(t) => FileType::of(item.kind, item.name) == *t,
            Test::Camera(text) => item.camera.is_some_and(|cam| contains(cam, text)),
            Test::Taken { from, until } => {
                item.captured_at.is_some_and(|t| *from <= t && t < *until)
            }
        }
    }
}

/// What the library holds that words and terms name: read only when a search needs them.
pub(crate) struct Names<'a> {
    pub cameras: &'a [String],
    /// Each collection's id and path.
    pub collections: &'a [(CollectionId, String)],
    /// Each keyword's id and path.
    pub keywords: &'a [(i64, String)],
}

impl Search {
    /// Whether working out this search's filter needs the cameras, collections and keywords.
    pub(crate) fn needs_names(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.test, Test::Word(_) | Test::Camera(_) | Test::Keyword(_)))
    }

    /// The store's filter for this search: the same items [`Search::matches`] selects. A
    /// word of a name comes first, where the store's index of names can find it.
    pub(crate) fn filter(&self, names: &Names<'_>) -> Vec<Filter> {
        let mut out: Vec<Filter> = Vec::new();
        for t in &self.terms {
            let f = t.test.filter(names);
            if t.not {
                out.push(Filter::Not(Box::new(f)));
            } else if matches!(f, Filter::NameHas(_)) {
                out.insert(0, f);
            } else {
                out.push(f);
            }
        }
        out
    }
}

impl Test {
    fn filter(&self, names: &Names<'_>) -> Filter {
        match self {
            Test::Word(w) => {
                let cameras: Vec<String> = names
                    .cameras
                    .iter()
                    .filter(|c| contains(c, w))
                    .cloned()
                    .collect();
                let collections: Vec<CollectionId> = names
                    .collections
                    .iter()
                    .filter(|(_, path)| contains(path, w))
                    .map(|(id, _)| *id)
                    .collect();
                let keywords: Vec<i64> = names
                    .keywords
                    .iter()
                    .filter(|(_, path)| contains(path, w))
                    .map(|(id, _)| *id)
                    .collect();
                let mut any = vec![Filter::NameHas(w.clone())];
                if !cameras.is_empty() {
                    any.push(Filter::Cameras(cameras));
                }
                if !collections.is_empty() {
                    any.push(Filter::InCollections(collections));
                }
                if !keywords.is_empty() {
                    any.push(Filter::Keywords(keywords));
                }
                match any.len() {
                    1 => any.remove(0),
                    _ => Filter::AnyOf(any),
                }
            }
            Test::Rating(cmp, n) => Filter::Rating(*cmp, *n),
            Test::Flag(f) => Filter::Flag(*f),
            Test::Label(l) => Filter::Label(*l),
            Test::Keyword(k) => Filter::Keywords(
                names
                    .keywords
                    .iter()
                    .filter(|(_, path)| keyword_matches(k, path))
                    .map(|(id, _)| *id)
                    .collect(),
            ),
            Test::Type(t) => Filter::FileType(t.name()),
            Test::Camera(text) => Filter::Cameras(
                names
                    .cameras
                    .iter()
                    .filter(|c| contains(c, text))
                    .cloned()
                    .collect(),
            ),
            Test::Taken { from, until } => Filter::Taken {
                from: *from,
                until: *until,
            },
        }
    }
}

/// Whether the keyword `have` is what `asked` names: a one-level word equal to any of its
/// levels, or a path equal to it or above it (ignoring case).
pub fn keyword_matches(asked: &Keyword, have: &str) -> bool {
    let asked = asked.path().to_lowercase();
    let have = have.to_lowercase();
    if asked.contains('|') {
        have == asked || have.starts_with(&format!("{asked}|"))
    } else {
        have.split('|').any(|level| level == asked)
    }
}

/// Whether `text` holds `word` (already lowercase), ignoring case.
fn contains(text: &str, word: &str) -> bool {
    text.to_lowercase().contains(word)
}

/// A token as it is typed: a value holding a space is quoted (`keyword:"Rua Augusta"`).
fn quoted(token: &str) -> String {
    if !token.chars().any(char::is_whitespace) {
        return token.to_string();
    }
    match token.split_once(':') {
        Some((key, value)) if !key.chars().any(char::is_whitespace) => {
            format!("{key}:\"{value}\"")
        }
        _ => format!("\"{token}\""),
    }
}

/// The words of a search: split at spaces, a `"…"` kept whole (quotes removed).
fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for ch in text.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(format!("a quote is not closed in {text:?}"));
    }
    if any {
        out.push(current);
    }
    Ok(out)
}

/// One term or word.
fn test<Tz: TimeZone>(token: &str, zone: &Tz) -> Result<Test, String> {
    let lower = token.to_lowercase();
    if let Some(rest) = lower.strip_prefix("rating") {
        let (cmp, number) = [
            (">=", Compare::AtLeast),
            ("<=", Compare::AtMost),
            (">", Compare::More),
            ("<", Compare::Less),
            ("=", Compare::Equal),
            (":", Compare::Equal),
        ]
        .into_iter()
        .find_map(|(op, cmp)| rest.strip_prefix(op).map(|n| (cmp, n)))
        .ok_or_else(|| format!("{token:?}: write rating>=N, rating<=N or rating=N (0 to 5)"))?;
        return match number.parse::<u8>() {
            Ok(n) if n <= 5 => Ok(Test::Rating(cmp, n)),
            _ => Err(format!("{token:?}: a rating is 0 to 5 stars")),
        };
    }
    let Some((key, value)) = token.split_once(':') else {
        return Ok(Test::Word(lower));
    };
    let refuse = |what: &str| Err(format!("{token:?}: {what}"));
    match key.to_lowercase().as_str() {
        "flag" => match Flag::parse(value) {
            Some(f) => Ok(Test::Flag(f)),
            None => refuse("a flag is pick, reject or none"),
        },
        "label" if value.eq_ignore_ascii_case("none") => Ok(Test::Label(None)),
        "label" => match Label::parse(value) {
            Some(l) => Ok(Test::Label(Some(l))),
            None => refuse("a label is red, yellow, green, blue, purple or none"),
        },
        "keyword" => Keyword::parse(value).map(Test::Keyword),
        "type" => FileType::NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(value))
            .map(|(_, t)| Test::Type(*t))
            .ok_or_else(|| {
                format!("{token:?}: a type is photo, raw, video, audio, document or other")
            }),
        "camera" if !value.is_empty() => Ok(Test::Camera(value.to_lowercase())),
        "camera" => refuse("camera: needs part of a camera's name"),
        "taken" => taken(value, zone).ok_or_else(|| {
            format!("{token:?}: write taken:YYYY, taken:YYYY-MM, taken:YYYY-MM-DD or taken:A..B")
        }),
        // Not a term: a word that happens to hold a colon (a time, a name).
        _ => Ok(Test::Word(lower)),
    }
}

/// `taken:` a year, a month, a day, or a range `A..B` of those (B included), in `zone`.
fn taken<Tz: TimeZone>(value: &str, zone: &Tz) -> Option<Test> {
    let (from, until) = match value.split_once("..") {
        Some((a, b)) => (period(a)?.0, period(b)?.1),
        None => period(value)?,
    };
    if until <= from {
        return None;
    }
    let start = |d: NaiveDate| -> Option<UnixSecs> {
        let midnight = d.and_hms_opt(0, 0, 0)?;
        Some(zone.from_local_datetime(&midnight).earliest()?.timestamp())
    };
    Some(Test::Taken {
        from: start(from)?,
        until: start(until)?,
    })
}

/// The days a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` covers: its first, and the day after its last.
fn period(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str| s.parse::<u32>().ok();
    match parts.as_slice() {
        [y] if y.len() == 4 => {
            let y = i32::try_from(number(y)?).ok()?;
            Some((
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
            ))
        }
        [y, m] if y.len() == 4 => {
            let y = i32::try_from(number(y)?).ok()?;
            let first = NaiveDate::from_ymd_opt(y, number(m)?, 1)?;
            Some((first, first.checked_add_months(chrono::Months::new(1))?))
        }
        [y, m, d] if y.len() == 4 => {
            let y = i32::try_from(number(y)?).ok()?;
            let day = NaiveDate::from_ymd_opt(y, number(m)?, number(d)?)?;
            Some((day, day.succ_opt()?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::culling::Rating;

    fn parse(text: &str) -> Search {
        Search::parse_in(text, &chrono::Utc).expect(text)
    }

    fn item<'a>(name: &'a str, culling: &'a Culling) -> Facts<'a> {
        Facts {
            name,
            location: "Trips/Porto",
            camera: Some("Canon EOS R6"),
            kind: AssetKind::Image,
            // 2024-06-15T12:00:00Z
            captured_at: Some(1_718_452_800),
            culling,
        }
    }

    /// The filter bar writes the search out again from its terms: what it writes parses
    /// into the same search, and a term it sets takes the place of the one it replaces.
    #[test]
    fn a_search_written_out_again_parses_the_same_and_a_term_replaces_its_kind() {
        let typed = r#"porto  rating>=3 -flag:reject "rua augusta" keyword:"Places|Rua Augusta" camera:"eos r6" taken:2024-06"#;
        let s = parse(typed);
        assert_eq!(
            s.text(),
            r#"porto rating>=3 -flag:reject "rua augusta" keyword:"Places|Rua Augusta" camera:"eos r6" taken:2024-06"#
        );
        assert_eq!(parse(&s.text()), s);
        let rated = s
            .with(&Test::Rating(Compare::Equal, 0), Some("rating=5"))
            .unwrap();
        assert_eq!(
            rated.text(),
            r#"porto -flag:reject "rua augusta" keyword:"Places|Rua Augusta" camera:"eos r6" taken:2024-06 rating=5"#
        );
        let unflagged = rated.with(&Test::Flag(Flag::None), None).unwrap();
        assert!(!unflagged.text().contains("flag"));
        assert!(unflagged.text().starts_with("porto "), "words stay");
        assert!(s.with(&Test::Flag(Flag::None), Some("flag:maybe")).is_err());
    }

    #[test]
    fn words_and_terms_parse_into_typed_tests() {
        let s = parse(
            r#"porto rating>=3 -flag:reject label:RED keyword:"Places|Portugal" type:raw camera:"eos r6" taken:2024-06"#,
        );
        let tests: Vec<(bool, Test)> = s.terms.into_iter().map(|t| (t.not, t.test)).collect();
        assert_eq!(tests[0], (false, Test::Word("porto".into())));
        assert_eq!(tests[1], (false, Test::Rating(Compare::AtLeast, 3)));
        assert_eq!(tests[2], (true, Test::Flag(Flag::Reject)));
        assert_eq!(tests[3], (false, Test::Label(Some(Label::Red))));
        assert_eq!(
            tests[4],
            (
                false,
                Test::Keyword(Keyword::parse("Places|Portugal").unwrap())
            )
        );
        assert_eq!(tests[5], (false, Test::Type(FileType::Raw)));
        assert_eq!(tests[6], (false, Test::Camera("eos r6".into())));
        assert_eq!(
            tests[7],
            (
                false,
                Test::Taken {
                    from: 1_717_200_000,
                    until: 1_719_792_000
                }
            )
        );
        assert_eq!(parse("").terms, vec![]);
        // A colon that starts no term is part of a word.
        assert_eq!(parse("12:30").terms[0].test, Test::Word("12:30".into()));
    }

    #[test]
    fn bad_terms_are_refused_by_name() {
        for bad in [
            "rating>=6",
            "rating~3",
            "flag:maybe",
            "label:orange",
            "type:spreadsheet",
            "taken:2024-13",
            "taken:24",
            "taken:2024-06-01..2024-05-01",
            "keyword:a||b",
            "camera:",
            "\"porto",
        ] {
            let err = Search::parse_in(bad, &chrono::Utc).expect_err(bad);
            assert!(!err.is_empty(), "{bad}");
        }
    }

    #[test]
    fn every_term_must_match_and_a_minus_negates() {
        let mut c = Culling {
            rating: Rating::new(4).unwrap(),
            flag: Flag::Pick,
            label: Some(Label::Green),
            keywords: vec!["Places|Portugal|Lisbon".into(), "film".into()],
        };
        let it = item("IMG_0001.CR2", &c);
        for yes in [
            "porto",
            "canon",
            "lisbon",
            "img_0001",
            "rating>=4 rating<=4 rating=4 rating>3 rating<5",
            "flag:pick label:green",
            "keyword:Portugal keyword:lisbon keyword:\"Places|Portugal\" keyword:Places",
            "type:raw camera:r6 taken:2024 taken:2024-06-15 taken:2024-01..2024-06",
            "-flag:reject -label:none -keyword:Spain -type:photo",
            "",
        ] {
            assert!(parse(yes).matches(&it), "{yes}");
        }
        for no in [
            "madrid",
            "rating>4",
            "flag:none",
            "label:red",
            "keyword:Port",
            "keyword:\"Portugal|Lisbon\"",
            "type:photo",
            "taken:2023",
            "taken:2024-06-16..2025",
            "porto -film",
            "porto flag:reject",
        ] {
            assert!(!parse(no).matches(&it), "{no}");
        }
        c.label = None;
        assert!(parse("label:none").matches(&item("a.jpg", &c)));
        assert!(parse("type:photo").matches(&item("a.jpg", &c)));
        assert!(parse("type:document").matches(&item("a.pdf", &c)));
    }
}
