use std::time::Duration;

use vpce::protocol::RunOptions;
use vpce::provider::ProviderServer;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-v") {
        println!("terraform-provider-vpce {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if args.first().is_some_and(|a| a == "docs") {
        std::process::exit(vpce::docs::main(&args[1..]));
    }
    let provider = ProviderServer::new();
    let stop = provider.stop_handle();
    let (on_shutdown, at_exit) = (provider.background(), provider.background());
    let options = RunOptions::default()
        .worker_threads(2)
        .version(env!("CARGO_PKG_VERSION"))
        // Terraform is gone: no more EC2 writes, and every wait ends.
        .on_parent_exit(move || stop.abandon())
        // EC2 writes that no request waited for (creation marker removals) finish before the answer
        // to go-plugin's Shutdown (Terraform waits for it; its 2 s kill timer starts after it), at
        // most 10 s; and, for the other ways out (debug mode, Terraform gone), before the process
        // ends.
        .before_shutdown(Box::new(move || {
            let background = on_shutdown.clone();
            Box::pin(async move {
                background.drain(Duration::from_secs(10)).await;
            })
        }))
        .after_serve(Box::new(move || {
            Box::pin(async move {
                at_exit.drain(Duration::from_millis(1500)).await;
                report_memory();
            })
        }));
    vpce::protocol::run(provider.into_server(), options);
}

/// With `VPCE_MEMORY_REPORT=<file>` (the benchmark sets it), appends this process's memory at exit
/// to that file, in KiB: `<peak RSS> <anonymous RSS> <file-backed RSS>` (Linux `/proc/self/status`
/// VmHWM, RssAnon, RssFile). The file-backed part is the binary's and the libraries' code and
/// read-only data mapped from the page cache: shared and clean, unlike the anonymous part.
fn report_memory() {
    let Some(path) = std::env::var_os("VPCE_MEMORY_REPORT") else { return };
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let line = format!("{} {} {}\n", field("VmHWM:"), field("RssAnon:"), field("RssFile:"));
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(line.as_bytes());
    }
}
