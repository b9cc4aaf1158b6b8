//! `shoebox settings [KEY [VALUE]]`: retention-days, sweep-interval-minutes and write-xmp.

use anyhow::{Context, bail};
use serde_json::json;

use super::print_json;
use crate::library::{Library, items};

pub fn run(
    lib: &mut Library,
    as_json: bool,
    key: Option<String>,
    value: Option<String>,
) -> anyhow::Result<()> {
    match (key.as_deref(), value) {
        (None, _) => {
            let settings = json!({
                "retention-days": lib.retention_days()?,
                "sweep-interval-minutes": lib.sweep_interval_minutes()?,
                "write-xmp": lib.write_xmp()?,
            });
            if as_json {
                return print_json(&settings);
            }
            println!("retention-days = {}", lib.retention_days()?);
            println!("sweep-interval-minutes = {}", lib.sweep_interval_minutes()?);
            println!("write-xmp = {}", lib.write_xmp()?);
        }
        (Some("write-xmp"), Some(v)) => {
            let on = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => true,
                "false" | "off" | "no" | "0" => false,
                _ => bail!("write-xmp is true or false, not {v:?}"),
            };
            lib.set_write_xmp(on)?;
            if as_json {
                return print_json(&json!({ "write-xmp": on }));
            }
        }
        (Some(k), None) => {
            let v = get(lib, k)?;
            if as_json {
                return print_json(&json!({ k: v }));
            }
            println!("{v}");
        }
        (Some(k), Some(v)) => {
            let n: i64 = v
                .trim()
                .parse()
                .with_context(|| format!("{k} must be a whole number, not {v:?}"))?;
            match k {
                "retention-days" => {
                    let old = lib.retention_days()?;
                    lib.set_retention_days(n)?;
                    if n < old {
                        let purge = lib.expired_count(n)?;
                        eprintln!(
                            "the next sweep will purge {} now older than {n} days",
                            items(purge)
                        );
                    }
                }
                "sweep-interval-minutes" => lib.set_sweep_interval_minutes(n)?,
                _ => bail!("unknown setting {k:?}; {SETTINGS}"),
            }
            if as_json {
                return print_json(&json!({ k: get(lib, k)? }));
            }
        }
    }
    Ok(())
}

const SETTINGS: &str = "settings are retention-days, sweep-interval-minutes and write-xmp";

fn get(lib: &Library, key: &str) -> anyhow::Result<serde_json::Value> {
    match key {
        "retention-days" => Ok(json!(lib.retention_days()?)),
        "sweep-interval-minutes" => Ok(json!(lib.sweep_interval_minutes()?)),
        "write-xmp" => Ok(json!(lib.write_xmp()?)),
        _ => bail!("unknown setting {key:?}; {SETTINGS}"),
    }
}
