//! Puts response maps back in selection order (GraphQL spec §7.2.2: "the
//! response map is ordered as the fields appear in the selection set").
//!
//! async-graphql resolves a selection set's fields concurrently and keeps
//! the order in which they *finish*, so `{ me teachers classSeries }` could
//! come back in any order. Rejected alternative: resolving serially, which
//! throws away the concurrency. Instead the handler re-reads the document
//! and reorders the data once, after execution: fields by their response
//! name (alias or name), fragments expanded in place, nested objects and
//! lists of objects alike. Known limit: type conditions are not matched
//! against the object's type, so two inline fragments on different types
//! that select the same fields in different orders use the first one's
//! order for both.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// `data` in the order the operation's selection set asks for it. Data
/// that does not follow the document (it always does) is left as it is.
pub fn reorder(data: Value, query: &str, operation: Option<&str>) -> Value {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return data;
    };
    let set = match (&document.operations, operation) {
        (DocumentOperations::Single(op), _) => &op.node.selection_set.node,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => &op.node.selection_set.node,
            None => return data,
        },
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) if ops.len() == 1 => &op.node.selection_set.node,
            _ => return data,
        },
    };
    order(data, &[set], &document.fragments)
}

/// The response keys a set of selection sets produces, in order, each with
/// the selection sets that shape its value.
fn keys<'a>(
    sets: &[&'a SelectionSet],
    fragments: &'a Fragments,
    out: &mut Vec<(String, Vec<&'a SelectionSet>)>,
    depth: usize,
) {
    // Validation forbids fragment cycles; the bound only guards data that
    // did not come from a validated document.
    if depth > 64 {
        return;
    }
    for set in sets {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.to_string();
                    let sub = &field.selection_set.node;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, subs)) => subs.push(sub),
                        None => out.push((key, vec![sub])),
                    }
                }
                Selection::InlineFragment(inline) => keys(
                    &[&inline.node.selection_set.node],
                    fragments,
                    out,
                    depth + 1,
                ),
                Selection::FragmentSpread(spread) => {
                    if let Some(f) = fragments.get(&spread.node.fragment_name.node) {
                        keys(&[&f.node.selection_set.node], fragments, out, depth + 1)
                    }
                }
            }
        }
    }
}

fn order(value: Value, sets: &[&SelectionSet], fragments: &Fragments) -> Value {
    match value {
        Value::Object(mut map) => {
            let mut wanted = Vec::new();
            keys(sets, fragments, &mut wanted, 0);
            let mut out = async_graphql::indexmap::IndexMap::with_capacity(map.len());
            for (key, subs) in wanted {
                if let Some((name, v)) = map.shift_remove_entry(key.as_str()) {
                    out.insert(name, order(v, &subs, fragments));
                }
            }
            out.extend(map);
            Value::Object(out)
        }
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|v| order(v, sets, fragments))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(v: &Value) -> Vec<String> {
        match v {
            Value::Object(m) => m.keys().map(|k| k.to_string()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn maps_follow_the_selection_with_aliases_fragments_and_lists() {
        let data = Value::from_json(serde_json::json!({
            "z": 1,
            "me": {"roles": [], "email": "a"},
            "list": [{"b": 1, "a": 2}, {"a": 3, "b": 4}],
        }))
        .unwrap();
        let query = "query { list { a ...F } z: teachers me { email ... on User { roles } } } fragment F on X { b }";
        let ordered = reorder(data, query, None);
        assert_eq!(keys_of(&ordered), ["list", "z", "me"]);
        let Value::Object(m) = &ordered else { panic!() };
        assert_eq!(keys_of(&m["me"]), ["email", "roles"]);
        let Value::List(items) = &m["list"] else {
            panic!()
        };
        assert!(items.iter().all(|i| keys_of(i) == ["a", "b"]));
    }
}
