//! Relay cursor connections with a maximum page size.
//!
//! Every list query returns a connection: `first/after` or `last/before`,
//! `pageInfo`, `totalCount`, at most [`MAX_PAGE_SIZE`] nodes per page
//! (asking for more is refused with `LIMIT_EXCEEDED`, not silently cut).
//! Cursors are opaque positions in the list's stable order (its sort key,
//! then id). Two statements per page: the count and the rows.

use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::{Context, OutputType, Result, SimpleObject};
use infra::repo::Tenant;
use infra::repo::list::{self, Listing};
use kernel::SchoolId;

use crate::context::app;
use crate::error::{Code, bad_input, internal};

/// Most nodes one page may hold.
pub const MAX_PAGE_SIZE: i32 = 100;
/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 50;

/// Fields every connection has beside its edges.
#[derive(SimpleObject)]
pub struct Total {
    /// How many nodes the whole list holds.
    pub total_count: i64,
}

/// A page of `T`.
pub type Page<T> = Connection<usize, T, Total, EmptyFields>;

/// The four Relay arguments.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    /// Nodes after this cursor.
    pub after: Option<String>,
    /// Nodes before this cursor.
    pub before: Option<String>,
    /// The first N of them.
    pub first: Option<i32>,
    /// The last N of them.
    pub last: Option<i32>,
}

/// The half-open range of positions a page covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First position.
    pub start: usize,
    /// One past the last position.
    pub end: usize,
}

fn size(field: &str, value: Option<i32>) -> Result<Option<usize>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(bad_input(
            field,
            Code::Invalid,
            format!("`{field}` must not be negative"),
        )),
        Some(n) if n > MAX_PAGE_SIZE => Err(bad_input(
            field,
            Code::LimitExceeded,
            format!(
                "`{field}` may be at most {MAX_PAGE_SIZE}; fetch further pages with `after` (or `before`)"
            ),
        )),
        Some(n) => Ok(Some(n as usize)),
    }
}

fn cursor(field: &str, value: Option<&String>) -> Result<Option<usize>> {
    value
        .map(|c| {
            usize::decode_cursor(c).map_err(|_| {
                bad_input(
                    field,
                    Code::Invalid,
                    format!("`{field}` is not a cursor of this list; use an edge's `cursor`"),
                )
            })
        })
        .transpose()
}

/// Checks the arguments and works out which positions of a list of
/// `total` nodes the page covers.
pub fn window(args: &PageArgs, total: usize) -> Result<Window> {
    let first = size("first", args.first)?;
    let last = size("last", args.last)?;
    let after = cursor("after", args.after.as_ref())?;
    let before = cursor("before", args.before.as_ref())?;
    let mut start = after.map_or(0, |a| a + 1).min(total);
    let mut end = before.unwrap_or(total).min(total).max(start);
    match (first, last) {
        (Some(f), _) => {
            end = end.min(start + f);
            if let Some(l) = last {
                start = start.max(end.saturating_sub(l));
            }
        }
        (None, Some(l)) => start = start.max(end.saturating_sub(l)),
        (None, None) => end = end.min(start + DEFAULT_PAGE_SIZE as usize),
    }
    Ok(Window { start, end })
}

/// A page of the viewer's school's `listing`.
pub async fn paginate<E, T>(
    ctx: &Context<'_>,
    school: SchoolId,
    listing: Listing<E>,
    args: PageArgs,
    wrap: impl Fn(E::Model) -> T,
) -> Result<Page<T>>
where
    E: Tenant,
    E::Model: Sync,
    T: OutputType,
{
    // Refuse bad arguments before touching the database.
    window(&args, 0)?;
    let conn = app(ctx).db.conn();
    let total = list::count(conn, school, &listing)
        .await
        .map_err(internal)? as usize;
    let Window { start, end } = window(&args, total)?;
    let rows = if end > start {
        list::rows(conn, school, &listing, start as u64, (end - start) as u64)
            .await
            .map_err(internal)?
    } else {
        Vec::new()
    };
    let mut page = Connection::with_additional_fields(
        start > 0,
        end < total,
        Total {
            total_count: total as i64,
        },
    );
    page.edges.extend(
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| Edge::new(start + i, wrap(row))),
    );
    Ok(page)
}

/// A page of a list already in memory, in its order (for lists filtered
/// by a rule the database cannot run, like who sees which material).
pub fn page_of<T: OutputType>(items: Vec<T>, args: &PageArgs) -> Result<Page<T>> {
    let total = items.len();
    let Window { start, end } = window(args, total)?;
    let mut page = Connection::with_additional_fields(
        start > 0,
        end < total,
        Total {
            total_count: total as i64,
        },
    );
    page.edges.extend(
        items
            .into_iter()
            .enumerate()
            .skip(start)
            .take(end - start)
            .map(|(i, item)| Edge::new(i, item)),
    );
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(
        first: Option<i32>,
        after: Option<usize>,
        last: Option<i32>,
        before: Option<usize>,
    ) -> PageArgs {
        PageArgs {
            after: after.map(|a| a.encode_cursor()),
            before: before.map(|b| b.encode_cursor()),
            first,
            last,
        }
    }

    #[test]
    fn windows_follow_relay_semantics() {
        let w = |a| window(&a, 10).unwrap();
        assert_eq!(
            w(args(Some(3), None, None, None)),
            Window { start: 0, end: 3 }
        );
        assert_eq!(
            w(args(Some(3), Some(2), None, None)),
            Window { start: 3, end: 6 }
        );
        assert_eq!(
            w(args(None, None, Some(3), None)),
            Window { start: 7, end: 10 }
        );
        assert_eq!(
            w(args(None, None, Some(3), Some(5))),
            Window { start: 2, end: 5 }
        );
        assert_eq!(
            w(args(Some(5), Some(8), None, None)),
            Window { start: 9, end: 10 }
        );
        assert_eq!(
            w(args(Some(5), Some(20), None, None)),
            Window { start: 10, end: 10 }
        );
        assert_eq!(
            w(args(None, None, None, None)),
            Window { start: 0, end: 10 }
        );
    }

    #[test]
    fn oversized_and_negative_pages_are_refused() {
        assert!(window(&args(Some(MAX_PAGE_SIZE + 1), None, None, None), 0).is_err());
        assert!(window(&args(None, None, Some(-1), None), 0).is_err());
        assert!(window(&args(Some(MAX_PAGE_SIZE), None, None, None), 0).is_ok());
        let bad = PageArgs {
            after: Some("not a cursor".into()),
            ..Default::default()
        };
        assert!(window(&bad, 0).is_err());
    }
}
