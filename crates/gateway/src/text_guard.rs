//! Refuses text a database would treat differently, before anything runs.
//!
//! A NUL byte is an error inside PostgreSQL and is stored as-is by SQLite,
//! and other control characters are invisible traps in names and emails. So
//! every string argument a request carries (inline, through variables or
//! their defaults) goes through [`parse_text`], the one rule for text
//! inputs: no control characters, except tab and line breaks in free-text
//! fields (notes, reasons, descriptions, bios). A refusal is a request error
//! (nothing runs, so there is no payload to put a userError in) with
//! `extensions.code = "INVALID"` and `extensions.field` naming where the
//! text was (`bookSession.input.note`), the same on both databases.
//!
//! The check runs as a schema extension right after parsing, rejected
//! alternative: a check in each resolver, which a new field would forget.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Value, Variables};

/// Why a text input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlCharacter(pub char);

impl std::fmt::Display for ControlCharacter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "text may not contain control characters (found U+{:04X}); remove it and send the text again",
            u32::from(self.0)
        )
    }
}

/// The rule for every text input: no control characters (NUL included);
/// tab, line feed and carriage return are allowed when `multiline`.
pub fn parse_text(value: &str, multiline: bool) -> Result<&str, ControlCharacter> {
    match value
        .chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
    {
        Some(c) => Err(ControlCharacter(c)),
        None => Ok(value),
    }
}

/// Free-text fields, where tabs and line breaks are legitimate.
fn multiline(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    ["note", "reason", "description", "bio", "message"]
        .iter()
        .any(|w| f.contains(w))
}

/// The extension factory to register on the schema.
pub struct TextGuard;

impl ExtensionFactory for TextGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TextGuardExtension)
    }
}

struct TextGuardExtension;

#[async_trait::async_trait]
impl Extension for TextGuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let operations: Vec<_> = match &document.operations {
            DocumentOperations::Single(op) => vec![op],
            DocumentOperations::Multiple(ops) => ops.values().collect(),
        };
        for op in operations {
            // A variable's value is checked where it is used, under the
            // argument's own path (so `note: $x` is free text and
            // `name: $note` is not); a default counts when none is sent.
            let defaults: HashMap<Name, Value> = op
                .node
                .variable_definitions
                .iter()
                .filter_map(|d| {
                    let default = d.node.default_value.as_ref()?.node.clone();
                    Some((d.node.name.node.clone(), default))
                })
                .collect();
            let resolve = |name: Name| {
                variables
                    .get(&name)
                    .or_else(|| defaults.get(&name))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            check_set(
                &op.node.selection_set.node,
                &resolve,
                &document.fragments,
                0,
            )?;
        }
        Ok(document)
    }
}

fn refuse(path: &[String], found: ControlCharacter) -> ServerError {
    let mut error = ServerError::new(found.to_string(), None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "INVALID");
    extensions.set("field", path.join("."));
    error.extensions = Some(extensions);
    error
}

fn check_set(
    set: &SelectionSet,
    resolve: &dyn Fn(Name) -> Value,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> ServerResult<()> {
    // Validation (which runs later) refuses fragment cycles; the bound only
    // keeps this walk finite before it.
    if depth > 64 {
        return Ok(());
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                for (name, value) in &field.arguments {
                    let mut path = vec![field.name.node.to_string(), name.node.to_string()];
                    let value = value
                        .node
                        .clone()
                        .into_const_with(|var| Ok::<_, std::convert::Infallible>(resolve(var)))
                        .unwrap_or(Value::Null);
                    check_value(&value, &mut path)?;
                }
                check_set(&field.selection_set.node, resolve, fragments, depth + 1)?;
            }
            Selection::InlineFragment(fragment) => check_set(
                &fragment.node.selection_set.node,
                resolve,
                fragments,
                depth + 1,
            )?,
            Selection::FragmentSpread(spread) => {
                if let Some(f) = fragments.get(&spread.node.fragment_name.node) {
                    check_set(&f.node.selection_set.node, resolve, fragments, depth + 1)?;
                }
            }
        }
    }
    Ok(())
}

fn check_text(s: &str, path: &[String]) -> ServerResult<()> {
    let free = path.last().is_some_and(|f| multiline(f));
    parse_text(s, free).map(|_| ()).map_err(|e| refuse(path, e))
}

fn check_value(value: &Value, path: &mut Vec<String>) -> ServerResult<()> {
    match value {
        Value::String(s) => check_text(s, path),
        Value::List(items) => items.iter().try_for_each(|v| check_value(v, path)),
        Value::Object(fields) => {
            for (name, v) in fields {
                path.push(name.to_string());
                check_value(v, path)?;
                path.pop();
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_except_line_breaks_in_free_text() {
        // (text, multiline, accepted)
        let table = [
            ("Studio A", false, true),
            ("Ada\u{0}", false, false),
            ("Ada\u{0}", true, false),
            ("two\nlines", false, false),
            ("two\nlines", true, true),
            ("tab\there", true, true),
            ("bell\u{7}", true, false),
            ("del\u{7f}", false, false),
            ("Zoë 🎹", false, true),
        ];
        for (text, free, ok) in table {
            assert_eq!(parse_text(text, free).is_ok(), ok, "{text:?} {free}");
        }
        assert!(multiline("studentNote") && multiline("reason") && !multiline("firstName"));
    }
}
