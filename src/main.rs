use vpce::protocol::{log, plugin};
use vpce::provider;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-v") {
        println!("terraform-provider-vpce {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if args.first().is_some_and(|a| a == "docs") {
        std::process::exit(vpce::docs::main(&args[1..]));
    }
    let options = provider::options();
    log::init(options.log_module.clone());
    vpce::info!(format!("terraform-provider-vpce {} starting", env!("CARGO_PKG_VERSION")), "version" => env!("CARGO_PKG_VERSION"));
    let mode = if args.iter().any(|a| a == "--debug" || a == "-debug") {
        plugin::Mode::Debug { provider_address: options.address.clone() }
    } else {
        plugin::Mode::Plugin
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-vpce: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let provider = provider::Provider::new();
    let stop = provider.stop_handle();
    let routes = tonic::service::Routes::new(provider::service(provider));
    // EC2 writes that no request waited for (creation marker removals) finish before the answer to
    // go-plugin's Shutdown (Terraform waits for it; its 2 s kill timer starts after it), at most
    // 10 s; and, for the other ways out (debug mode, Terraform gone), before the process ends.
    let before_shutdown: plugin::BeforeShutdown = Box::new(|| {
        Box::pin(async {
            vpce::aws::drain_background(std::time::Duration::from_secs(10)).await;
        })
    });
    let served =
        runtime.block_on(plugin::serve_with_hooks(mode, &options.name, routes, Box::new(move || stop.abandon()), Some(before_shutdown)));
    runtime.block_on(vpce::aws::drain_background(std::time::Duration::from_millis(1500)));
    report_memory();
    if let Err(e) = served {
        eprintln!("terraform-provider-vpce: {e}");
        std::process::exit(1);
    }
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
