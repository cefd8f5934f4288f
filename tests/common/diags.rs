//! Terraform's human output split into diagnostics (severity, summary, the resource and the
//! source line they point at), for tests that check where a diagnostic lands.

use super::unwrap_lines;

/// One diagnostic as Terraform printed it.
#[derive(Debug)]
pub struct Diag {
    pub severity: String,
    pub summary: String,
    /// `resource "vpce_gateway" "x"` from `on main.tf line N, in resource "vpce_gateway" "x":`.
    pub context: Option<String>,
    pub line: Option<usize>,
    /// The quoted source line (after `N:`).
    pub source: Option<String>,
    /// The whole diagnostic, unwrapped (common::unwrap_lines).
    pub text: String,
}

fn strip(l: &str) -> &str {
    l.trim_start_matches(['│', '╷', '╵', ' ']).trim_end()
}

/// Splits Terraform's human output into diagnostics.
pub fn diagnostics(output: &str) -> Vec<Diag> {
    let lines: Vec<&str> = output.lines().collect();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| strip(l).starts_with("Error: ") || strip(l).starts_with("Warning: "))
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let chunk = &lines[start..end];
        let head = strip(chunk[0]);
        let (severity, summary) = head.split_once(": ").map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or_default();
        let mut context = None;
        let mut line = None;
        let mut source = None;
        for (j, l) in chunk.iter().enumerate() {
            let s = strip(l);
            if let Some(rest) = s.strip_prefix("on main.tf line ") {
                let (n, ctx) = rest.split_once(',').unwrap_or((rest, ""));
                line = n.trim().parse::<usize>().ok();
                context = Some(ctx.trim().trim_start_matches("in ").trim_end_matches(':').to_string());
                if let Some(n) = line {
                    let prefix = format!("{n}:");
                    source = chunk[j + 1..]
                        .iter()
                        .map(|l| strip(l))
                        .find(|l| l.starts_with(&prefix))
                        .map(|l| l[prefix.len()..].trim().to_string());
                }
                break;
            }
        }
        out.push(Diag { severity, summary, context, line, source, text: unwrap_lines(&chunk.join("\n")) });
    }
    out
}
