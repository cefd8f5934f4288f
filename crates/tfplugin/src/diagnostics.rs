//! Diagnostics: what Terraform shows the user, optionally pointing at an attribute.

use super::values::PathStep;
use super::wire::tfplugin6 as pb;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// How serious a diagnostic is.
pub enum Severity {
    /// The operation failed.
    Error,
    /// The operation went on; Terraform shows the warning.
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
/// One message for Terraform to show: severity, summary, detail and the attribute it is about.
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A one-line summary.
    pub summary: String,
    /// The full explanation.
    pub detail: String,
    /// The attribute the message is about (Terraform points at it in the configuration), if any.
    pub path: Option<Vec<PathStep>>,
}

/// Builds an attribute path from a dotted name, e.g. `path("dns_options.dns_record_ip_type")`.
pub fn path(dotted: &str) -> Vec<PathStep> {
    dotted.split('.').map(|s| PathStep::Attr(s.to_string())).collect()
}

#[derive(Clone, Debug, Default, PartialEq)]
/// The diagnostics of one operation, in order.
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Turns every error into a warning whose detail ends with `note`.
    pub fn downgrade_errors(&mut self, note: &str) {
        for d in &mut self.0 {
            if d.severity == Severity::Error {
                d.severity = Severity::Warning;
                d.detail = format!("{} {note}", d.detail);
            }
        }
    }

    fn push(&mut self, severity: Severity, summary: impl Into<String>, detail: impl Into<String>, path: Option<Vec<PathStep>>) {
        self.0.push(Diagnostic { severity, summary: summary.into(), detail: detail.into(), path });
    }

    /// Adds an error not tied to an attribute.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary, detail, None);
    }

    /// Adds a warning not tied to an attribute.
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary, detail, None);
    }

    /// An error on an attribute, given as a dotted path (`"route_table_ids"`) or steps.
    pub fn attr_error(&mut self, at: impl IntoPath, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary, detail, Some(at.into_path()));
    }

    /// Adds a warning about the attribute at `at`.
    pub fn attr_warning(&mut self, at: impl IntoPath, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary, detail, Some(at.into_path()));
    }

    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Appends `other`'s diagnostics.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// The diagnostics re-rooted under `prefix` (the framework's `diag.WithPath`), e.g. the
    /// checks of a nested block's model: an attribute path gets `prefix` before it; a diagnostic
    /// without a path keeps none.
    pub fn with_path_prefix(self, prefix: &[PathStep]) -> Diagnostics {
        Diagnostics(
            self.0
                .into_iter()
                .map(|d| {
                    let path = d.path.map(|p| prefix.iter().cloned().chain(p).collect());
                    Diagnostic { path, ..d }
                })
                .collect(),
        )
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The diagnostics as the protocol sends them.
    pub fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

/// What names an attribute path: a dotted name (`"dns_options.dns_record_ip_type"`) or the steps.
pub trait IntoPath {
    /// The path's steps.
    fn into_path(self) -> Vec<PathStep>;
}

impl IntoPath for &str {
    fn into_path(self) -> Vec<PathStep> {
        path(self)
    }
}

impl IntoPath for Vec<PathStep> {
    fn into_path(self) -> Vec<PathStep> {
        self
    }
}

impl IntoPath for &[PathStep] {
    fn into_path(self) -> Vec<PathStep> {
        self.to_vec()
    }
}

/// An attribute path as the protocol sends it.
pub fn path_to_proto(steps: &[PathStep]) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: steps
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(n) => Selector::AttributeName(n.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                }),
            })
            .collect(),
    }
}

/// An attribute path from the protocol's form (steps it does not know are skipped).
pub fn path_from_proto(p: &pb::AttributePath) -> Vec<PathStep> {
    use pb::attribute_path::step::Selector;
    p.steps
        .iter()
        .filter_map(|s| match s.selector.as_ref()? {
            Selector::AttributeName(n) => Some(PathStep::Attr(n.clone())),
            Selector::ElementKeyInt(i) => Some(PathStep::Index(*i)),
            Selector::ElementKeyString(k) => Some(PathStep::Key(k.clone())),
        })
        .collect()
}

impl Diagnostic {
    /// The diagnostic as the protocol sends it.
    pub fn to_proto(&self) -> pb::Diagnostic {
        pb::Diagnostic {
            severity: match self.severity {
                Severity::Error => pb::diagnostic::Severity::Error as i32,
                Severity::Warning => pb::diagnostic::Severity::Warning as i32,
            },
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.path.as_deref().map(path_to_proto),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_errors_carry_their_path() {
        let mut d = Diagnostics::new();
        d.attr_error("dns_options.dns_record_ip_type", "Bad", "worse");
        d.warning("Heads up", "");
        assert!(d.has_errors());
        let p = d.to_proto();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].severity, pb::diagnostic::Severity::Error as i32);
        let steps = path_from_proto(p[0].attribute.as_ref().unwrap());
        assert_eq!(steps, vec![PathStep::Attr("dns_options".into()), PathStep::Attr("dns_record_ip_type".into())]);
        assert!(p[1].attribute.is_none());
        assert_eq!(p[1].severity, pb::diagnostic::Severity::Warning as i32);
    }
}
