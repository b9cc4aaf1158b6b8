//! Typed values of the schema: record states and id tables, checked by the compiler
//! instead of compared as strings.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// The tables whose ids name one item forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdTable {
    Assets,
    Collections,
    Batches,
}

impl IdTable {
    pub fn name(self) -> &'static str {
        match self {
            IdTable::Assets => "assets",
            IdTable::Collections => "collections",
            IdTable::Batches => "batches",
        }
    }
}

/// Where an asset's record is in its life: the file-move protocol is a state machine on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetState {
    Active,
    /// The intent to move to the Trash is recorded; the files may be on either side.
    Trashing,
    Trashed,
    /// The intent to restore is recorded; the files may be on either side.
    Restoring,
    /// Claimed for permanent deletion; its files may already be gone.
    Purging,
}

impl AssetState {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetState::Active => "active",
            AssetState::Trashing => "trashing",
            AssetState::Trashed => "trashed",
            AssetState::Restoring => "restoring",
            AssetState::Purging => "purging",
        }
    }

    pub fn parse(s: &str) -> Option<AssetState> {
        Some(match s {
            "active" => AssetState::Active,
            "trashing" => AssetState::Trashing,
            "trashed" => AssetState::Trashed,
            "restoring" => AssetState::Restoring,
            "purging" => AssetState::Purging,
            _ => return None,
        })
    }
}

impl ToSql for AssetState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for AssetState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        AssetState::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown asset state {text:?}").into()))
    }
}

/// Whether a collection is in the Gallery or in the Trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollectionStatus {
    Active,
    Trashed,
}

impl CollectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionStatus::Active => "active",
            CollectionStatus::Trashed => "trashed",
        }
    }
}

impl ToSql for CollectionStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for CollectionStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "active" => Ok(CollectionStatus::Active),
            "trashed" => Ok(CollectionStatus::Trashed),
            other => Err(FromSqlError::Other(
                format!("unknown collection state {other:?}").into(),
            )),
        }
    }
}

/// Where an asset's files live: copied into the library's `media/`, or kept where they were
/// imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Storage {
    Copy,
    InPlace,
}

impl Storage {
    pub fn of(in_place: bool) -> Storage {
        if in_place {
            Storage::InPlace
        } else {
            Storage::Copy
        }
    }

    pub fn in_place(self) -> bool {
        self == Storage::InPlace
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Storage::Copy => "copy",
            Storage::InPlace => "in_place",
        }
    }
}

impl ToSql for Storage {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Storage {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "copy" => Ok(Storage::Copy),
            "in_place" => Ok(Storage::InPlace),
            other => Err(FromSqlError::Other(
                format!("unknown storage {other:?}").into(),
            )),
        }
    }
}

/// Ids that name one record forever (see `store::take_id`): a distinct type per table, so
/// an asset's id can never be passed where a collection's is meant. Stored as INTEGER;
/// serialized as the bare number.
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_i64().map($name)
            }
        }
    };
}

record_id!(
    /// An asset's id, shown as `a12`.
    AssetId,
    "a"
);
record_id!(
    /// A collection's id, shown as `c3`.
    CollectionId,
    "c"
);
record_id!(
    /// A batch's id (one user action that moved things to the Trash), shown as `b7`.
    BatchId,
    "b"
);

/// The `missing` column of an asset: its file was there when last looked at.
pub const PRESENT: i64 = 0;
/// The `missing` column: the file was not found where its folder is.
pub const MISSING: i64 = 1;
/// The `missing` column: the file's folder or drive could not be reached.
pub const OFFLINE: i64 = 2;
