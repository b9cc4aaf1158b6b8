//! Making, renaming and moving collections. Names are unique among siblings, ignoring case.

use rusqlite::{OptionalExtension, params};

use super::import::name_key;
use super::trash::validate_name;
use super::{AssetId, CollectionId, ItemId, Library, LibraryError, Result};

impl Library {
    /// Makes a new collection; fails if a sibling has the name.
    pub fn create_collection(
        &mut self,
        parent: Option<CollectionId>,
        name: &str,
    ) -> Result<CollectionId> {
        validate_name(name)?;
        if let Some(p) = parent {
            self.require_active_collection(p)?;
        }
        self.require_free_collection_name(parent, name, None)?;
        let (id, _) = self.ensure_collection(parent, name)?;
        Ok(id)
    }

    /// Renames an active collection.
    pub fn rename_collection(&mut self, id: CollectionId, name: &str) -> Result<()> {
        validate_name(name)?;
        self.require_active_collection(id)?;
        let parent: Option<CollectionId> = self.conn.query_row(
            "SELECT parent_id FROM collections WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        self.require_free_collection_name(parent, name, Some(id))?;
        self.conn.execute(
            "UPDATE collections SET name = ?2, name_key = ?3 WHERE id = ?1",
            params![id, name, name_key(name)],
        )?;
        Ok(())
    }

    /// Moves an active collection under another (or to the top).
    pub fn move_collection(
        &mut self,
        id: CollectionId,
        parent: Option<CollectionId>,
    ) -> Result<()> {
        self.require_active_collection(id)?;
        if let Some(p) = parent {
            self.require_active_collection(p)?;
            if self.subtree(id)?.contains(&p) {
                return Err(LibraryError::Invalid(
                    "cannot move a collection into itself".into(),
                ));
            }
        }
        let name: String =
            self.conn
                .query_row("SELECT name FROM collections WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        self.require_free_collection_name(parent, &name, Some(id))?;
        self.conn.execute(
            "UPDATE collections SET parent_id = ?2 WHERE id = ?1",
            params![id, parent],
        )?;
        Ok(())
    }

    /// Renames an active asset (the name shown in the library; the file keeps its name).
    pub fn rename_asset(&mut self, id: AssetId, name: &str) -> Result<()> {
        validate_name(name)?;
        let row: Option<(String, Option<CollectionId>)> = self
            .conn
            .query_row(
                "SELECT state, collection_id FROM assets WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((state, collection)) = row else {
            return Err(LibraryError::NotFound(ItemId::Asset(id)));
        };
        if state != "active" {
            return Err(LibraryError::InTrash(ItemId::Asset(id)));
        }
        let taken: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM assets WHERE ifnull(collection_id, 0) = ifnull(?1, 0) AND name_key = ?2
                 AND state IN ('active', 'trashing', 'restoring') AND id <> ?3",
                params![collection, name_key(name), id],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(LibraryError::Invalid(format!(
                "an item named \"{name}\" is already there"
            )));
        }
        self.conn.execute(
            "UPDATE assets SET name = ?2, name_key = ?3 WHERE id = ?1",
            params![id, name, name_key(name)],
        )?;
        Ok(())
    }

    /// Moves active assets into a collection (`None`: the top). An asset whose name is
    /// already taken there is left where it is and reported.
    pub fn move_assets(
        &mut self,
        ids: &[ItemId],
        to: Option<CollectionId>,
    ) -> Result<super::BulkReport> {
        if let Some(c) = to {
            self.require_active_collection(c)?;
        }
        let mut report = super::BulkReport::default();
        for &id in ids {
            let ItemId::Asset(a) = id else {
                report.failed.push(super::ItemOutcome {
                    id: id.to_string(),
                    reason: "not an asset".into(),
                });
                continue;
            };
            let row: Option<(String, String, Option<CollectionId>)> = self
                .conn
                .query_row(
                    "SELECT state, name, collection_id FROM assets WHERE id = ?1",
                    [a],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let outcome = |reason: &str| super::ItemOutcome {
                id: id.to_string(),
                reason: reason.to_string(),
            };
            match row {
                None => report.failed.push(outcome("no such item")),
                Some((state, ..)) if state != "active" => {
                    report.failed.push(outcome("is in the Trash"));
                }
                Some((_, _, from)) if from == to => report.skipped.push(outcome("already there")),
                Some((_, name, _)) => {
                    let moved = self.conn.execute(
                        "UPDATE assets SET collection_id = ?2 WHERE id = ?1 AND state = 'active'
                         AND NOT EXISTS (SELECT 1 FROM assets o WHERE ifnull(o.collection_id, 0) = ifnull(?2, 0)
                             AND o.name_key = ?3 AND o.state IN ('active', 'trashing', 'restoring'))",
                        params![a, to, name_key(&name)],
                    )?;
                    if moved == 1 {
                        report.succeeded.push(id);
                    } else {
                        report.failed.push(outcome(&format!(
                            "an item named \"{name}\" is already there"
                        )));
                    }
                }
            }
        }
        Ok(report)
    }

    fn require_free_collection_name(
        &self,
        parent: Option<CollectionId>,
        name: &str,
        except: Option<CollectionId>,
    ) -> Result<()> {
        let taken: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM collections WHERE ifnull(parent_id, 0) = ifnull(?1, 0) AND name_key = ?2
                 AND state = 'active' AND id <> ifnull(?3, 0)",
                params![parent, name_key(name), except],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(LibraryError::Invalid(format!(
                "a collection named \"{name}\" is already there"
            )));
        }
        Ok(())
    }
}
