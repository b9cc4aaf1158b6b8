//! XMP, as other tools write it next to a picture (`IMG_1.xmp`, `IMG_1.CR2.xmp`) or inside
//! it: the rating (`xmp:Rating`, −1 a reject), the colour label (`xmp:Label`, or
//! darktable's `darktable:colorlabels`) and the keywords (`dc:subject`, Lightroom's
//! `lr:hierarchicalSubject`, digiKam's `digiKam:TagsList`).
//!
//! A packet is untrusted input: at most [`MAX_XMP_BYTES`] are read, no DTD (so no entity
//! is expanded), at most [`MAX_NODES`] nodes; the XML is parsed by roxmltree (linear, no
//! recursion). What does not parse is an error naming why; a value Shoebox does not know
//! (a custom label, a rating of 7) is left out.

use std::io::Read;
use std::path::Path;

use super::marks::{Flag, Keyword, Label, Rating};

/// The largest packet read.
pub const MAX_XMP_BYTES: u64 = 4 * 1024 * 1024;
/// The most XML nodes a packet may hold.
pub const MAX_NODES: u32 = 200_000;

const NS_XMP: &str = "http://ns.adobe.com/xap/1.0/";
const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
const NS_LR: &str = "http://ns.adobe.com/lightroom/1.0/";
const NS_DIGIKAM: &str = "http://www.digikam.org/ns/1.0/";
const NS_DARKTABLE: &str = "http://darktable.sf.net/";
const NS_RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// What a packet says the user gave a picture; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmpFacts {
    pub rating: Option<Rating>,
    pub flag: Option<Flag>,
    pub label: Option<Label>,
    /// Hierarchical ones as paths; a flat `dc:subject` word already a level of one of them
    /// is not repeated.
    pub keywords: Vec<Keyword>,
}

impl XmpFacts {
    pub fn is_empty(&self) -> bool {
        *self == XmpFacts::default()
    }
}

/// Reads the sidecar at `path`.
pub fn read_file(path: &Path) -> Result<XmpFacts, String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_XMP_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("can't read it: {e}"))?;
    if bytes.len() as u64 > MAX_XMP_BYTES {
        return Err(format!(
            "it is larger than {} MB",
            MAX_XMP_BYTES / (1024 * 1024)
        ));
    }
    parse(&bytes)
}

/// The XMP packet inside the picture at `path` (JPEG, TIFF and DNG, HEIF), if it has one.
pub fn embedded_packet(path: &Path) -> Option<Vec<u8>> {
    super::embedded::packet(path)
}

/// A packet parsed under Shoebox's bounds (size, no DTD, nodes), from its text after any
/// byte-order mark (which the ranges of its nodes count from). A packet may be wrapped in
/// `<?xpacket …?>` and padding; roxmltree takes that as is.
fn document(bytes: &[u8]) -> Result<roxmltree::Document<'_>, String> {
    if bytes.len() as u64 > MAX_XMP_BYTES {
        return Err("the packet is too large".into());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text.trim_start_matches('\u{feff}'), options)
        .map_err(|e| format!("it is not well-formed XML ({e})"))
}

/// Whether an element is a property of the picture: a child of an `rdf:Description` (one
/// deeper down is part of another property's value, a history entry or a structure, and
/// says nothing of the picture). The reader and the writer take the same ones.
fn is_property(node: &roxmltree::Node<'_, '_>) -> bool {
    node.parent_element()
        .is_some_and(|p| p.has_tag_name((NS_RDF, "Description")))
}

/// Reads one packet.
pub fn parse(bytes: &[u8]) -> Result<XmpFacts, String> {
    let doc = document(bytes)?;
    let mut facts = XmpFacts::default();
    let mut flat = Vec::new();
    let mut hierarchical = Vec::new();
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        // Properties written as attributes of rdf:Description…
        if node.has_tag_name((NS_RDF, "Description")) {
            for a in node.attributes() {
                if let Some(ns) = a.namespace() {
                    take(
                        &mut facts,
                        ns,
                        a.name(),
                        &[a.value()],
                        &mut flat,
                        &mut hierarchical,
                    );
                }
            }
            continue;
        }
        // …or as elements, a list's values in rdf:li.
        let Some(ns) = node.tag_name().namespace().filter(|_| is_property(&node)) else {
            continue;
        };
        if !matches!(ns, NS_XMP | NS_DC | NS_LR | NS_DIGIKAM | NS_DARKTABLE) {
            continue;
        }
        let items: Vec<&str> = node
            .children()
            .filter(roxmltree::Node::is_element)
            .flat_map(|list| list.children().filter(|li| li.has_tag_name((NS_RDF, "li"))))
            .map(|li| li.text().unwrap_or(""))
            .collect();
        let values = if items.is_empty() {
            vec![node.text().unwrap_or("")]
        } else {
            items
        };
        take(
            &mut facts,
            ns,
            node.tag_name().name(),
            &values,
            &mut flat,
            &mut hierarchical,
        );
    }
    // Keywords: the hierarchical ones, then the flat words none of them holds as a level.
    let mut keywords: Vec<Keyword> = Vec::new();
    let add = |k: Keyword, into: &mut Vec<Keyword>| {
        if !into
            .iter()
            .any(|have| have.path().eq_ignore_ascii_case(k.path()))
        {
            into.push(k);
        }
    };
    for k in hierarchical {
        add(k, &mut keywords);
    }
    for word in flat {
        let held = keywords.iter().any(|k| {
            k.path()
                .split('|')
                .any(|level| level.eq_ignore_ascii_case(word.path()))
        });
        if !held {
            add(word, &mut keywords);
        }
    }
    facts.keywords = keywords;
    Ok(facts)
}

/// What Shoebox writes into a packet: the rating (a reject as −1), the label and the
/// keywords; everything else in it is left as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmpWrite<'a> {
    pub rating: Rating,
    pub flag: Flag,
    pub label: Option<Label>,
    /// Keyword paths (`Places|Portugal|Lisbon`).
    pub keywords: &'a [String],
}

/// The packet `existing` (a sidecar's bytes; `None`: a new sidecar) with what Shoebox owns
/// in it set to `facts`: `xmp:Rating` (−1 for a reject; left out at 0 stars), `xmp:Label`,
/// `dc:subject` (each keyword's last level) and `lr:hierarchicalSubject` (the paths). Those
/// properties are taken out wherever they are (attributes or elements of any
/// `rdf:Description`) and written again into the first one; every other byte stays as it
/// was (a darktable history, Lightroom's develop settings, other namespaces).
pub fn write_packet(existing: Option<&[u8]>, facts: &XmpWrite<'_>) -> Result<String, String> {
    let Some(bytes) = existing else {
        let ours = owned_properties(facts, false, false);
        return Ok(format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Shoebox\">\n \
             <rdf:RDF xmlns:rdf=\"{NS_RDF}\">\n  \
             <rdf:Description rdf:about=\"\">{ours}\n  </rdf:Description>\n \
             </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>\n"
        ));
    };
    let doc = document(bytes)?;
    // The ranges count from after a byte-order mark, which is kept.
    let body = doc.input_text();
    let offset = bytes.len() - body.len();
    // digiKam's tags and darktable's colour labels are the same keywords and label in
    // those tools' words: where a sidecar has them, they are written again too (else the
    // tool, and Shoebox reading the sidecar again, would find the old ones).
    let owned = |ns: Option<&str>, name: &str| {
        matches!(
            (ns, name),
            (Some(NS_XMP), "Rating" | "Label")
                | (Some(NS_DC), "subject")
                | (Some(NS_LR), "hierarchicalSubject")
                | (Some(NS_DIGIKAM), "TagsList")
                | (Some(NS_DARKTABLE), "colorlabels")
        )
    };
    let (mut digikam, mut darktable) = (false, false);
    let mut seen = |ns: Option<&str>, name: &str| match (ns, name) {
        (Some(NS_DIGIKAM), "TagsList") => digikam = true,
        (Some(NS_DARKTABLE), "colorlabels") => darktable = true,
        _ => {}
    };
    // What goes: each range taken out of the text.
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    let mut first = None;
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        if node.has_tag_name((NS_RDF, "Description")) {
            first.get_or_insert(node);
            for a in node.attributes() {
                if owned(a.namespace(), a.name()) {
                    seen(a.namespace(), a.name());
                    cuts.push(a.range());
                }
            }
        } else if owned(node.tag_name().namespace(), node.tag_name().name()) && is_property(&node) {
            seen(node.tag_name().namespace(), node.tag_name().name());
            cuts.push(node.range());
        }
    }
    let ours = owned_properties(facts, digikam, darktable);
    let description = first.ok_or("it has no rdf:Description to write into")?;
    // Where ours go: just inside the first rdf:Description's start tag.
    let start = description.range().start;
    let tag_end = start + start_tag_len(&body[start..]).ok_or("a start tag is not closed")?;
    let self_closing = body[..tag_end].ends_with("/>");
    let mut out = String::with_capacity(bytes.len() + ours.len() + 64);
    out.push_str(&"\u{feff}".repeat(offset / '\u{feff}'.len_utf8()));
    let mut at = 0;
    cuts.sort_by_key(|r| r.start);
    if self_closing {
        copy_without(&mut out, body, &cuts, &mut at, tag_end - 2);
        let qname = &body[start + 1..]
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or("rdf:Description");
        out.push('>');
        out.push_str(&ours);
        out.push_str(&format!("</{qname}>"));
        at = tag_end;
    } else {
        copy_without(&mut out, body, &cuts, &mut at, tag_end);
        out.push_str(&ours);
    }
    copy_without(&mut out, body, &cuts, &mut at, body.len());
    Ok(out)
}

/// Copies `body` from `at` up to `upto`, leaving out the `cuts` (in order) inside it.
fn copy_without(
    out: &mut String,
    body: &str,
    cuts: &[std::ops::Range<usize>],
    at: &mut usize,
    upto: usize,
) {
    for r in cuts {
        if r.start >= *at && r.end <= upto {
            out.push_str(&body[*at..r.start]);
            *at = r.end;
        }
    }
    out.push_str(&body[*at..upto]);
    *at = upto;
}

/// The bytes of the start tag `tag` begins with, up to its `>` (one inside a quoted value
/// does not end it).
fn start_tag_len(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Shoebox's properties as elements, each declaring its namespace; with `digikam` and
/// `darktable`, those tools' tags and colour labels too.
fn owned_properties(facts: &XmpWrite<'_>, digikam: bool, darktable: bool) -> String {
    let mut out = String::new();
    let rating = match facts.flag {
        Flag::Reject => Some("-1".to_string()),
        _ if facts.rating.stars() > 0 => Some(facts.rating.stars().to_string()),
        _ => None,
    };
    if let Some(r) = rating {
        out.push_str(&format!(
            "\n   <xmp:Rating xmlns:xmp=\"{NS_XMP}\">{r}</xmp:Rating>"
        ));
    }
    if let Some(l) = facts.label {
        let name = l.name();
        let mut word = name[..1].to_uppercase();
        word.push_str(&name[1..]);
        out.push_str(&format!(
            "\n   <xmp:Label xmlns:xmp=\"{NS_XMP}\">{word}</xmp:Label>"
        ));
    }
    if !facts.keywords.is_empty() {
        let mut leaves: Vec<&str> = Vec::new();
        for k in facts.keywords {
            let leaf = k.rsplit('|').next().unwrap_or(k);
            if !leaves.iter().any(|l| l.eq_ignore_ascii_case(leaf)) {
                leaves.push(leaf);
            }
        }
        let bag = |items: &mut dyn Iterator<Item = &str>| {
            items
                .map(|i| format!("<rdf:li>{}</rdf:li>", escaped(i)))
                .collect::<String>()
        };
        let bag = |items: &mut dyn Iterator<Item = &str>| {
            format!("<rdf:Bag xmlns:rdf=\"{NS_RDF}\">{}</rdf:Bag>", bag(items))
        };
        out.push_str(&format!(
            "\n   <dc:subject xmlns:dc=\"{NS_DC}\">{}</dc:subject>",
            bag(&mut leaves.into_iter())
        ));
        let mut paths = facts.keywords.iter().map(String::as_str);
        out.push_str(&format!(
            "\n   <lr:hierarchicalSubject xmlns:lr=\"{NS_LR}\">{}</lr:hierarchicalSubject>",
            bag(&mut paths)
        ));
        if digikam {
            let tags: Vec<String> = facts.keywords.iter().map(|k| k.replace('|', "/")).collect();
            out.push_str(&format!(
                "\n   <digiKam:TagsList xmlns:digiKam=\"{NS_DIGIKAM}\">{}</digiKam:TagsList>",
                seq(&mut tags.iter().map(String::as_str))
            ));
        }
    }
    if darktable && let Some(l) = facts.label {
        let index = Label::ALL
            .iter()
            .position(|x| *x == l)
            .unwrap_or(0)
            .to_string();
        out.push_str(&format!(
            "\n   <darktable:colorlabels xmlns:darktable=\"{NS_DARKTABLE}\">{}</darktable:colorlabels>",
            seq(&mut std::iter::once(index.as_str()))
        ));
    }
    out
}

/// An `rdf:Seq` of these items.
fn seq(items: &mut dyn Iterator<Item = &str>) -> String {
    let each: String = items
        .map(|i| format!("<rdf:li>{}</rdf:li>", escaped(i)))
        .collect();
    format!("<rdf:Seq xmlns:rdf=\"{NS_RDF}\">{each}</rdf:Seq>")
}

/// Text as XML character data.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Takes one property's values, when it is one Shoebox reads.
fn take(
    facts: &mut XmpFacts,
    ns: &str,
    name: &str,
    values: &[&str],
    flat: &mut Vec<Keyword>,
    hierarchical: &mut Vec<Keyword>,
) {
    let first = values.first().map_or("", |v| v.trim());
    match (ns, name) {
        (NS_XMP, "Rating") => {
            // A whole number (some tools write `3.0`).
            let stars = first.parse::<i64>().ok().or_else(|| {
                first
                    .parse::<f64>()
                    .ok()
                    .filter(|r| r.fract() == 0.0 && r.abs() <= 5.0)
                    .map(|r| r as i64)
            });
            match stars {
                Some(-1) => facts.flag = Some(Flag::Reject),
                Some(n) => {
                    if let Some(r) = u8::try_from(n).ok().and_then(Rating::new) {
                        facts.rating = Some(r);
                    }
                }
                None => {}
            }
        }
        (NS_XMP, "Label") => {
            if let Some(l) = Label::parse(first) {
                facts.label = Some(l);
            }
        }
        // darktable: 0 red, 1 yellow, 2 green, 3 blue, 4 purple; Shoebox keeps one.
        (NS_DARKTABLE, "colorlabels") if facts.label.is_none() => {
            facts.label = values
                .iter()
                .filter_map(|v| v.trim().parse::<usize>().ok())
                .find_map(|i| Label::ALL.get(i).copied());
        }
        (NS_DC, "subject") => flat.extend(values.iter().filter_map(|v| Keyword::parse(v).ok())),
        (NS_LR, "hierarchicalSubject") => {
            hierarchical.extend(values.iter().filter_map(|v| Keyword::parse(v).ok()));
        }
        (NS_DIGIKAM, "TagsList") => hierarchical.extend(
            values
                .iter()
                .filter_map(|v| Keyword::parse(&v.replace('/', "|")).ok()),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_elements_lists_and_hierarchies_are_read() {
        let packet = br#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmp:Rating="4" xmp:Label="Purple">
   <dc:subject><rdf:Bag><rdf:li>Lisbon</rdf:li><rdf:li>film</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag>
     <rdf:li>Places|Portugal|Lisbon</rdf:li>
   </rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#;
        let facts = parse(packet).unwrap();
        assert_eq!(facts.rating, Rating::new(4));
        assert_eq!(facts.flag, None);
        assert_eq!(facts.label, Some(Label::Purple));
        let paths: Vec<&str> = facts.keywords.iter().map(Keyword::path).collect();
        assert_eq!(paths, ["Places|Portugal|Lisbon", "film"]);
    }

    #[test]
    fn a_reject_darktable_labels_and_digikam_tags() {
        let packet = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:darktable="http://darktable.sf.net/"
     xmlns:digiKam="http://www.digikam.org/ns/1.0/">
   <xmp:Rating>-1</xmp:Rating>
   <darktable:colorlabels><rdf:Seq><rdf:li>2</rdf:li><rdf:li>4</rdf:li></rdf:Seq></darktable:colorlabels>
   <digiKam:TagsList><rdf:Seq><rdf:li>People/Ana</rdf:li></rdf:Seq></digiKam:TagsList>
  </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let facts = parse(packet).unwrap();
        assert_eq!(facts.flag, Some(Flag::Reject));
        assert_eq!(facts.rating, None);
        assert_eq!(facts.label, Some(Label::Green));
        assert_eq!(facts.keywords, vec![Keyword::parse("People|Ana").unwrap()]);
    }

    /// What is written reads back as written, in a new packet and in one that had other
    /// values (as attributes and as elements), and everything else stays byte for byte.
    #[test]
    fn a_packet_written_reads_back_and_keeps_what_shoebox_does_not_own() {
        let keywords = vec![
            "Places|Portugal|Lisbon".to_string(),
            "film & grain".to_string(),
        ];
        let facts = XmpWrite {
            rating: Rating::new(4).unwrap(),
            flag: Flag::None,
            label: Some(Label::Green),
            keywords: &keywords,
        };
        let want = |f: &XmpFacts| {
            assert_eq!(f.rating, Rating::new(4));
            assert_eq!(f.label, Some(Label::Green));
            let paths: Vec<&str> = f.keywords.iter().map(Keyword::path).collect();
            assert_eq!(paths, ["Places|Portugal|Lisbon", "film & grain"]);
        };
        want(&parse(write_packet(None, &facts).unwrap().as_bytes()).unwrap());
        let other = r#"<crs:Exposure2012 xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/">+0.35</crs:Exposure2012>"#;
        let existing = format!(
            r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="1" xmp:CreatorTool="Some > tool">
   {other}
   <xmp:Label>Red</xmp:Label>
   <dc:subject><rdf:Bag><rdf:li>old</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description></rdf:RDF></x:xmpmeta>"#
        );
        let written = write_packet(Some(existing.as_bytes()), &facts).unwrap();
        want(&parse(written.as_bytes()).unwrap());
        assert!(written.contains(other), "{written}");
        assert!(written.contains(r#"xmp:CreatorTool="Some > tool""#));
        assert!(!written.contains("old") && !written.contains(">Red<"));
        // A reject is a rating of -1; nothing given takes Shoebox's properties out.
        let reject = XmpWrite {
            flag: Flag::Reject,
            ..Default::default()
        };
        let written = write_packet(Some(existing.as_bytes()), &reject).unwrap();
        assert_eq!(parse(written.as_bytes()).unwrap().flag, Some(Flag::Reject));
        let none = write_packet(Some(existing.as_bytes()), &XmpWrite::default()).unwrap();
        assert!(parse(none.as_bytes()).unwrap().is_empty(), "{none}");
        assert!(none.contains(other));
        // A self-closing description is opened to take them.
        let bare = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/></rdf:RDF></x:xmpmeta>"#;
        want(
            &parse(
                write_packet(Some(bare.as_bytes()), &facts)
                    .unwrap()
                    .as_bytes(),
            )
            .unwrap(),
        );
        assert!(write_packet(Some(b"<x:xmpmeta>"), &facts).is_err());
        assert!(
            write_packet(Some(b"<a/>"), &facts).is_err(),
            "no rdf:Description"
        );
    }

    #[test]
    fn broken_hostile_and_unknown_packets_are_refused_or_ignored_quickly() {
        // Entities are never expanded: a DTD is refused.
        let laughs = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>"#;
        assert!(parse(laughs).is_err());
        assert!(parse(b"<x:xmpmeta><unclosed>").is_err());
        assert!(parse(&[0xff, 0xfe, 0x00]).is_err());
        // Unknown values are left out.
        let odd = br#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="7" xmp:Label="To do"/></rdf:RDF>"#;
        assert!(parse(odd).unwrap().is_empty());
        // Deep nesting and many nodes: bounded, no recursion.
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let started = std::time::Instant::now();
        let _ = parse(deep.as_bytes());
        let many = "<b/>".repeat(300_000);
        assert!(
            parse(format!("<a>{many}</a>").as_bytes()).is_err(),
            "too many nodes"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
