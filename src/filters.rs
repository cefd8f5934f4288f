//! The generic `filter { name, values }` blocks of the data sources and list resources, as the
//! AWS provider has them: each one goes to EC2's Describe call as it is. A name that the API does
//! not document is an error at validation, on that block's `name` (EC2 would answer
//! `InvalidParameterValue: The filter '...' is invalid` at read time).

use crate::aws::RawFilter;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{List, Set, Val};
use crate::protocol::values::PathStep;

crate::model! {
    #[description = "A filter passed to EC2 as it is, as in the AWS CLI's `--filters`: an item matches when any of `values` matches (the wildcards `*` and `?` are EC2's), and every filter must match."]
    pub(crate) struct FilterBlock {
        attrs {
            name: String [required] "The EC2 filter name, such as `vpc-endpoint-state` or `tag:Name` (the API reference of the Describe call lists them).";
            values: Set<String> [required] "The values, any of which matches (at least one).";
        }
    }
}

/// EC2 takes at most this many values in one filter.
const MAX_VALUES: usize = 200;

/// Errors on blocks whose name `api` (`DescribeVpcEndpoints`, ...) does not take (`known`, plus
/// `tag:<key>`), or with no value; unknown names and values are not judged.
pub(crate) fn validate_filters(filters: &Val<List<FilterBlock>>, known: &[&str], api: &str, d: &mut Diagnostics) {
    let Some(blocks) = filters.known() else { return };
    for (i, block) in blocks.0.iter().enumerate() {
        let Some(block) = block.known() else { continue };
        let at = |attr: &str| vec![PathStep::Attr("filter".into()), PathStep::Index(i as i64), PathStep::Attr(attr.into())];
        if let Some(name) = block.name.as_str().filter(|n| !RawFilter::is_known_name(n, known)) {
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            d.attr_error(
                at("name"),
                "Invalid filter name",
                format!(
                    "EC2's {api} does not take the filter \"{name}\" (it would answer: The filter '{name}' is invalid). It takes {}, and `tag:<key>`.",
                    list.join(", ")
                ),
            );
        }
        if let Some(values) = block.values.known() {
            let n = values.0.len();
            if n == 0 || n > MAX_VALUES {
                d.attr_error(at("values"), "Invalid filter values", format!("A filter takes 1 to {MAX_VALUES} values; this one has {n}."));
            }
        }
    }
}

/// The filters of the blocks (blocks with unknown parts left out: only read once all is known).
pub(crate) fn raw_filters(filters: &Val<List<FilterBlock>>) -> Vec<RawFilter> {
    let Some(blocks) = filters.known() else { return Vec::new() };
    blocks
        .known_items()
        .into_iter()
        .filter_map(|b| Some(RawFilter { name: b.name.as_str()?.to_string(), values: b.values.strings().into_iter().collect() }))
        .collect()
}

/// `filter` blocks, for tests: `(name, values)` pairs.
#[cfg(test)]
pub(crate) fn blocks(items: &[(&str, &[&str])]) -> Val<List<FilterBlock>> {
    Val::Known(List(
        items
            .iter()
            .map(|(n, vs)| {
                Val::Known(FilterBlock {
                    name: Val::Known(n.to_string()),
                    values: Val::Known(Set(vs.iter().map(|v| Val::Known(v.to_string())).collect())),
                })
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ENDPOINT_FILTERS;

    fn errors(f: &Val<List<FilterBlock>>) -> Vec<(String, String)> {
        let mut d = Diagnostics::new();
        validate_filters(f, ENDPOINT_FILTERS, "DescribeVpcEndpoints", &mut d);
        d.0.iter().map(|x| (x.summary.clone(), format!("{:?}", x.path))).collect()
    }

    #[test]
    fn names_ec2_does_not_take_are_errors_on_the_block() {
        assert!(errors(&blocks(&[("vpc-id", &["vpc-1"]), ("tag:Name", &["a*"]), ("tag-key", &["Env"])])).is_empty());
        let e = errors(&blocks(&[("vpc-id", &["vpc-1"]), ("vpc_id", &["vpc-1"])]));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, "Invalid filter name");
        assert!(e[0].1.contains("Index(1)") && e[0].1.contains("\"name\""), "{e:?}");
        assert_eq!(errors(&blocks(&[("vpc-id", &[])]))[0].0, "Invalid filter values");
        assert!(errors(&Val::Unknown(Default::default())).is_empty());
    }

    #[test]
    fn raw_filters_keep_names_and_values() {
        let raw = raw_filters(&blocks(&[("tag:Name", &["b", "a"])]));
        assert_eq!(raw, vec![RawFilter { name: "tag:Name".into(), values: vec!["a".into(), "b".into()] }]);
    }
}
