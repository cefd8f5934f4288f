//! What the unit tests that talk to moto share: its URL (starting it when needed) and the
//! test credentials.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// `MOTO_URL` when set (scripts/test.sh), else the moto that `scripts/moto.sh start` runs (as
/// tests/common does). Panics when moto cannot be started: a test that needs moto never passes
/// without it. Also sets the dummy AWS credentials the SDK needs, where none are set.
pub(crate) fn moto_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    let url = URL.get_or_init(|| {
        for (key, value) in [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_EC2_METADATA_DISABLED", "true")]
        {
            if std::env::var_os(key).is_none() {
                std::env::set_var(key, value);
            }
        }
        if let Ok(u) = std::env::var("MOTO_URL") {
            if !u.is_empty() {
                return u;
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let run = |arg: &str| {
            let out =
                Command::new("bash").arg(root.join("scripts/moto.sh")).arg(arg).current_dir(root).output().expect("run scripts/moto.sh");
            assert!(out.status.success(), "scripts/moto.sh {arg} failed: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        run("start");
        run("url")
    });
    url.clone()
}
