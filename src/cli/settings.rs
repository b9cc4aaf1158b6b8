//! `shoebox settings [KEY [VALUE]]`: retention-days and sweep-interval-minutes.

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
            });
            if as_json {
                return print_json(&settings);
            }
            println!("retention-days = {}", lib.retention_days()?);
            println!("sweep-interval-minutes = {}", lib.sweep_interval_minutes()?);
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
                _ => bail!(
                    "unknown setting {k:?}; settings are retention-days and sweep-interval-minutes"
                ),
            }
            if as_json {
                return print_json(&json!({ k: get(lib, k)? }));
            }
        }
    }
    Ok(())
}

fn get(lib: &Library, key: &str) -> anyhow::Result<i64> {
    match key {
        "retention-days" => Ok(lib.retention_days()?),
        "sweep-interval-minutes" => Ok(lib.sweep_interval_minutes()?),
        _ => {
            bail!("unknown setting {key:?}; settings are retention-days and sweep-interval-minutes")
        }
    }
}
