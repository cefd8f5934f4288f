//! The error of starting and serving a plugin: the handshake, AutoMTLS, the listener, the gRPC
//! server and the async runtime.

use std::fmt;

/// Any error, as a cause of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the plugin could not start or serve. Its message is complete (it names the cause as
/// well); [`std::error::Error::source`] gives the cause itself, when there is one.
#[derive(Debug)]
pub struct Error {
    message: String,
    source: Option<BoxError>,
}

impl Error {
    /// An error with no underlying cause.
    pub fn new(message: impl Into<String>) -> Self {
        Error { message: message.into(), source: None }
    }

    /// An error caused by `source`: the message is `context: source`.
    pub fn with_source(context: &str, source: impl Into<BoxError>) -> Self {
        let source = source.into();
        Error { message: format!("{context}: {source}"), source: Some(source) }
    }

    /// An error that is `source`, with its message.
    pub fn from_source(source: impl Into<BoxError>) -> Self {
        let source = source.into();
        Error { message: source.to_string(), source: Some(source) }
    }

    /// The message, as [`fmt::Display`] writes it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn the_message_names_the_cause_and_source_returns_it() {
        let io = std::io::Error::new(std::io::ErrorKind::AddrInUse, "address in use");
        let e = Error::with_source("cannot listen on 127.0.0.1:1", io);
        assert_eq!(e.to_string(), "cannot listen on 127.0.0.1:1: address in use");
        assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("address in use"));
        assert!(Error::new("no cause").source().is_none());
    }
}
