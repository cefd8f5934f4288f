//! The `timeouts { create = "..", update = "..", delete = ".." }` block: Go-style durations.

use std::time::Duration;

use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;
use crate::protocol::values::PathStep;

crate::model! {
    #[description = "Operation timeouts, as Go-style durations such as `10m` or `1h30m`."]
    pub(crate) struct Timeouts {
        attrs {
            create: String [optional] "How long to wait for this operation.";
            update: String [optional] "How long to wait for this operation.";
            delete: String [optional] "How long to wait for this operation.";
        }
    }
}

/// An operation with a timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Create,
    Update,
    Delete,
}

/// The timeout of every operation when the `timeouts` block does not set it.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The longest timeout accepted.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

impl Timeouts {
    fn setting(&self, op: Op) -> &Val<String> {
        match op {
            Op::Create => &self.create,
            Op::Update => &self.update,
            Op::Delete => &self.delete,
        }
    }
}

/// The timeout for `op` from a state's or plan's `timeouts` block, else [`DEFAULT_TIMEOUT`].
pub(crate) fn timeout(block: &Val<Timeouts>, op: Op) -> Duration {
    block.known().and_then(|t| t.setting(op).as_str()).and_then(parse_duration).unwrap_or(DEFAULT_TIMEOUT)
}

/// Parses a Go-style duration ("90s", "10m", "1h30m", "1.5h") of at most [`MAX_TIMEOUT`].
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    parse_any_duration(s).filter(|d| *d <= MAX_TIMEOUT)
}

/// Parses a Go-style duration of any length.
fn parse_any_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * unit;
    }
    (total.is_finite() && total < 1e12).then(|| Duration::from_secs_f64(total))
}

/// Validates every timeout of the configured `timeouts` block.
pub(crate) fn validate(block: &Val<Timeouts>, diags: &mut Diagnostics) {
    let Some(t) = block.known() else { return };
    for (op, v) in [("create", &t.create), ("delete", &t.delete), ("update", &t.update)] {
        let Some(s) = v.as_str() else { continue };
        let at = vec![PathStep::Attr("timeouts".into()), PathStep::Attr(op.to_string())];
        match parse_any_duration(s) {
            None => diags.attr_error(
                at,
                "Invalid timeout",
                format!("\"{s}\" is not a duration. Use a number with a unit, for example \"30s\", \"10m\" or \"1h30m\" (at most 168h)."),
            ),
            Some(d) if d > MAX_TIMEOUT => diags.attr_error(
                at,
                "Timeout too long",
                format!("\"{s}\" is longer than the maximum timeout of 168h (7 days). Use at most \"168h\"."),
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("ten minutes"), None);
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("9999h"), None);
    }

    #[test]
    fn timeouts_from_the_block() {
        let block = Val::Known(Timeouts { create: Val::Known("90s".into()), update: Val::unknown(), delete: Val::Known("soon".into()) });
        assert_eq!(timeout(&block, Op::Create), Duration::from_secs(90));
        assert_eq!(timeout(&block, Op::Update), DEFAULT_TIMEOUT);
        assert_eq!(timeout(&block, Op::Delete), DEFAULT_TIMEOUT);
        assert_eq!(timeout(&Val::Null, Op::Create), DEFAULT_TIMEOUT);
        let mut d = Diagnostics::new();
        validate(&block, &mut d);
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, Some(vec![PathStep::Attr("timeouts".into()), PathStep::Attr("delete".into())]));
    }
}
