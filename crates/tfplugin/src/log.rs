//! hclog-style JSON logging on stderr.
//!
//! go-plugin reads the provider's stderr line by line; a line that is a JSON object with `@level`
//! and `@message` is re-logged by Terraform at that level, so `TF_LOG`/`TF_LOG_PROVIDER` work as
//! users expect. We also honour those variables ourselves to avoid formatting lines nobody reads.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// An hclog level, from the most verbose to none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Everything, including per-request detail.
    Trace = 1,
    /// What helps to debug the provider.
    Debug = 2,
    /// What the provider did.
    Info = 3,
    /// Something unexpected that the provider worked around.
    Warn = 4,
    /// Something failed.
    Error = 5,
    /// Nothing is logged.
    Off = 6,
}

impl Level {
    /// The level of a `TF_LOG`-style setting (`trace`, `json`, `debug`, `info`, `warn`, `error`, `off`; any case), `None` for anything else.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "trace" | "json" => Level::Trace,
            "debug" => Level::Debug,
            "info" => Level::Info,
            "warn" => Level::Warn,
            "error" => Level::Error,
            "off" | "" => Level::Off,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);
static MODULE: OnceLock<String> = OnceLock::new();

/// The `@module` of every line (Terraform shows it; hclog names provider loggers `provider.NAME`).
/// Set once, before the first line; later calls are ignored. Default: `provider`.
pub fn set_module(module: impl Into<String>) {
    let _ = MODULE.set(module.into());
}

/// The `@module` lines carry.
pub fn module() -> &'static str {
    MODULE.get().map(String::as_str).unwrap_or("provider")
}

/// [`set_module`] and [`init_from_env`] in one.
pub fn init(module: impl Into<String>) {
    set_module(module);
    init_from_env();
}

/// Sets the level from `TF_LOG_PROVIDER`, else `TF_LOG` (unknown values mean trace, like Terraform).
pub fn init_from_env() {
    let var =
        std::env::var("TF_LOG_PROVIDER").ok().filter(|v| !v.is_empty()).or_else(|| std::env::var("TF_LOG").ok().filter(|v| !v.is_empty()));
    let level = match var {
        Some(v) => Level::parse(&v).unwrap_or(Level::Trace),
        None => Level::Info,
    };
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Whether messages at `level` are written (the process's level, from the environment, is at most `level`).
pub fn enabled(level: Level) -> bool {
    level as u8 >= LEVEL.load(Ordering::Relaxed) && level != Level::Off
}

/// Formats one hclog JSON line. Fields are extra key/value pairs (never credentials).
pub fn format_line(level: Level, message: &str, fields: &[(&str, serde_json::Value)]) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.name().into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), module().into());
    obj.insert("@timestamp".into(), humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string().into());
    for (k, v) in fields {
        obj.insert((*k).to_string(), v.clone());
    }
    serde_json::Value::Object(obj).to_string()
}

/// Writes one hclog JSON line on stderr with `message` and `fields`, if `level` is enabled.
pub fn log(level: Level, message: &str, fields: &[(&str, serde_json::Value)]) {
    if !enabled(level) {
        return;
    }
    let mut line = format_line(level, message, fields);
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

#[macro_export]
/// Logs `message` at `level` with `"key" => value` fields, if the level is enabled: `log_at!(Level::Info, "created", "id" => id)`.
macro_rules! log_at {
    ($level:expr, $msg:expr $(, $k:literal => $v:expr)* $(,)?) => {
        if $crate::log::enabled($level) {
            $crate::log::log($level, &$msg, &[$(($k, $crate::__private::serde_json::json!($v))),*]);
        }
    };
}

#[macro_export]
/// [`log_at!`] at [`Level::Debug`](crate::log::Level::Debug).
macro_rules! debug { ($($t:tt)*) => { $crate::log_at!($crate::log::Level::Debug, $($t)*) }; }
#[macro_export]
/// [`log_at!`] at [`Level::Info`](crate::log::Level::Info).
macro_rules! info { ($($t:tt)*) => { $crate::log_at!($crate::log::Level::Info, $($t)*) }; }
#[macro_export]
/// [`log_at!`] at [`Level::Warn`](crate::log::Level::Warn).
macro_rules! warn { ($($t:tt)*) => { $crate::log_at!($crate::log::Level::Warn, $($t)*) }; }
#[macro_export]
/// [`log_at!`] at [`Level::Error`](crate::log::Level::Error).
macro_rules! error { ($($t:tt)*) => { $crate::log_at!($crate::log::Level::Error, $($t)*) }; }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_is_hclog_json() {
        let line = format_line(Level::Warn, "hello \"world\"", &[("resource", "vpce_gateway".into())]);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "warn");
        assert_eq!(v["@message"], "hello \"world\"");
        assert_eq!(v["resource"], "vpce_gateway");
        assert!(v["@timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn levels_parse_like_terraform() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("json"), Some(Level::Trace));
        assert_eq!(Level::parse("bogus"), None);
        assert!(Level::Error > Level::Warn);
    }
}
