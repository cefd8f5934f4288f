//! What the plugin can learn about the Terraform (or OpenTofu) command that started it.
//!
//! `terraform destroy` first runs a full plan of the configuration (its "pre-destroy refresh",
//! hashicorp/terraform#32208) and gives up on any error in it, so a plan-time check about
//! creating or changing a resource would block its destruction (hashicorp/terraform#33908). No
//! protocol message says that a plan is part of a destroy; the host's command line does.
//! Unix: procfs, or `ps`; Windows: `NtQueryInformationProcess` on the parent (no new dependency:
//! kernel32 and ntdll, which Rust's std links already).

use std::sync::OnceLock;

/// Whether the host command destroys: `destroy`, or `plan`/`apply` with `-destroy`.
pub fn destroying() -> bool {
    static DESTROYING: OnceLock<bool> = OnceLock::new();
    *DESTROYING.get_or_init(|| parent_args().is_some_and(|args| is_destroy_command(&args)))
}

/// The host command's arguments (the program first), when they can be read.
pub fn parent_arguments() -> Option<Vec<String>> {
    parent_args()
}

/// Whether these host arguments (the program first) run a destroy.
pub fn is_destroy_command(args: &[String]) -> bool {
    const SUBCOMMANDS: &[&str] = &["plan", "apply", "destroy", "refresh", "import", "validate", "console", "show", "test", "query"];
    let Some(pos) = args.iter().position(|a| SUBCOMMANDS.contains(&a.as_str())) else { return false };
    match args[pos].as_str() {
        "destroy" => true,
        "plan" | "apply" => args[pos + 1..].iter().any(|a| {
            let flag = a.trim_start_matches('-');
            a.starts_with('-') && (flag == "destroy" || flag == "destroy=true")
        }),
        _ => false,
    }
}

/// The process that started the plugin, watched to notice when it exits.
pub struct Parent {
    /// The parent's process id.
    pub pid: u32,
    #[cfg(windows)]
    process: win::Process,
}

impl Parent {
    /// Unix: getppid(), which changes when the parent exits (the plugin is re-parented).
    #[cfg(unix)]
    pub fn current() -> Option<Parent> {
        Some(Parent { pid: std::os::unix::process::parent_id() })
    }

    /// Whether the parent has exited (the plugin was re-parented).
    /// Whether the parent has exited (its process handle is signalled).
    #[cfg(unix)]
    pub fn exited(&self) -> bool {
        std::os::unix::process::parent_id() != self.pid
    }

    /// Windows: no re-parenting there; a handle on the parent process, signalled when it exits.
    /// None when the parent cannot be found or opened (or already exited and its id was reused).
    #[cfg(windows)]
    pub fn current() -> Option<Parent> {
        let pid = win::parent_pid()?;
        Some(Parent { pid, process: win::Process::open(pid)? })
    }

    #[cfg(windows)]
    pub fn exited(&self) -> bool {
        self.process.exited()
    }
}

/// The parent process's arguments. Windows: its command line split at spaces (like `ps` below).
#[cfg(windows)]
fn parent_args() -> Option<Vec<String>> {
    let parent = Parent::current()?;
    Some(parent.process.command_line()?.split_whitespace().map(str::to_owned).collect())
}

/// The parent process's arguments.
#[cfg(unix)]
fn parent_args() -> Option<Vec<String>> {
    let ppid = std::os::unix::process::parent_id();
    if let Ok(raw) = std::fs::read(format!("/proc/{ppid}/cmdline")) {
        return Some(raw.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect());
    }
    // No procfs (macOS, BSDs): ps. Arguments with spaces are split wrongly, which only matters
    // for arguments that are not flags or subcommands.
    let out = std::process::Command::new("ps").args(["-o", "args=", "-p", &ppid.to_string()]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_owned).collect())
}

/// The parent process on Windows through kernel32 and ntdll, declared here rather than through a
/// bindings crate (the few calls below; std links both libraries already).
#[cfg(windows)]
mod win {
    use std::ffi::c_void;

    type Handle = *mut c_void;
    const INVALID_HANDLE_VALUE: Handle = -1isize as Handle;
    const TH32CS_SNAPPROCESS: u32 = 0x2;
    const SYNCHRONIZE: u32 = 0x0010_0000;
    const PROCESS_QUERY_LIMITED_INFORMATION: u32 = 0x1000;
    const WAIT_OBJECT_0: u32 = 0;
    /// PROCESSINFOCLASS ProcessCommandLineInformation (Windows 8.1 and later).
    const PROCESS_COMMAND_LINE_INFORMATION: u32 = 60;

    /// PROCESSENTRY32W.
    #[repr(C)]
    struct ProcessEntry32W {
        size: u32,
        usage: u32,
        process_id: u32,
        default_heap_id: usize,
        module_id: u32,
        threads: u32,
        parent_process_id: u32,
        pri_class_base: i32,
        flags: u32,
        exe_file: [u16; 260],
    }

    #[repr(C)]
    #[derive(Default)]
    struct FileTime {
        low: u32,
        high: u32,
    }

    /// UNICODE_STRING.
    #[repr(C)]
    struct UnicodeString {
        length: u16,
        maximum_length: u16,
        buffer: *const u16,
    }

    #[link(name = "kernel32")]
    extern "system" {
        fn CreateToolhelp32Snapshot(flags: u32, pid: u32) -> Handle;
        fn Process32FirstW(snapshot: Handle, entry: *mut ProcessEntry32W) -> i32;
        fn Process32NextW(snapshot: Handle, entry: *mut ProcessEntry32W) -> i32;
        fn OpenProcess(access: u32, inherit: i32, pid: u32) -> Handle;
        fn WaitForSingleObject(handle: Handle, millis: u32) -> u32;
        fn CloseHandle(handle: Handle) -> i32;
        fn GetCurrentProcess() -> Handle;
        fn GetProcessTimes(
            process: Handle,
            creation: *mut FileTime,
            exit: *mut FileTime,
            kernel: *mut FileTime,
            user: *mut FileTime,
        ) -> i32;
    }

    #[link(name = "ntdll")]
    extern "system" {
        fn NtQueryInformationProcess(process: Handle, class: u32, info: *mut c_void, len: u32, ret_len: *mut u32) -> i32;
    }

    /// This process's parent's id, from a snapshot of the process list.
    pub fn parent_pid() -> Option<u32> {
        let me = std::process::id();
        // SAFETY: the entry is plain data with its size set as the API requires; the snapshot
        // handle is closed once.
        unsafe {
            let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
            if snapshot == INVALID_HANDLE_VALUE || snapshot.is_null() {
                return None;
            }
            let mut entry: ProcessEntry32W = std::mem::zeroed();
            entry.size = std::mem::size_of::<ProcessEntry32W>() as u32;
            let mut found = None;
            let mut more = Process32FirstW(snapshot, &mut entry) != 0;
            while more {
                if entry.process_id == me {
                    found = Some(entry.parent_process_id);
                    break;
                }
                more = Process32NextW(snapshot, &mut entry) != 0;
            }
            CloseHandle(snapshot);
            found
        }
    }

    fn creation_time(process: Handle) -> Option<u64> {
        let (mut c, mut e, mut k, mut u) = (FileTime::default(), FileTime::default(), FileTime::default(), FileTime::default());
        // SAFETY: four valid out-pointers; the handle is open.
        let ok = unsafe { GetProcessTimes(process, &mut c, &mut e, &mut k, &mut u) } != 0;
        ok.then(|| (u64::from(c.high) << 32) | u64::from(c.low))
    }

    /// An open process handle (closed on drop).
    pub struct Process(Handle);

    // SAFETY: a process handle may be used and closed from any thread.
    unsafe impl Send for Process {}
    unsafe impl Sync for Process {}

    impl Drop for Process {
        fn drop(&mut self) {
            // SAFETY: opened by Process::open, closed only here.
            unsafe { CloseHandle(self.0) };
        }
    }

    impl Process {
        /// Opens process `pid` if it started before this one (a parent that already exited may
        /// have had its id reused by a younger process).
        pub fn open(pid: u32) -> Option<Process> {
            // SAFETY: plain calls; a null handle means failure.
            let handle = unsafe { OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
            if handle.is_null() {
                return None;
            }
            let process = Process(handle);
            // SAFETY: GetCurrentProcess returns a pseudo-handle that needs no closing.
            let mine = creation_time(unsafe { GetCurrentProcess() })?;
            (creation_time(process.0)? <= mine).then_some(process)
        }

        pub fn exited(&self) -> bool {
            // SAFETY: the handle is open; a zero timeout only polls.
            unsafe { WaitForSingleObject(self.0, 0) == WAIT_OBJECT_0 }
        }

        /// The process's command line, as it was started.
        pub fn command_line(&self) -> Option<String> {
            let mut len = 0u32;
            // SAFETY: a zero-length query only reports the size needed.
            unsafe { NtQueryInformationProcess(self.0, PROCESS_COMMAND_LINE_INFORMATION, std::ptr::null_mut(), 0, &mut len) };
            if len < std::mem::size_of::<UnicodeString>() as u32 || len > 1 << 20 {
                return None;
            }
            // u64s: the UNICODE_STRING header at the start needs pointer alignment.
            let mut buf = vec![0u64; (len as usize).div_ceil(8)];
            // SAFETY: buf holds at least len bytes.
            let status =
                unsafe { NtQueryInformationProcess(self.0, PROCESS_COMMAND_LINE_INFORMATION, buf.as_mut_ptr().cast(), len, &mut len) };
            if status < 0 {
                return None;
            }
            // SAFETY: the call filled a UNICODE_STRING at the start of buf, whose characters follow
            // it in the same buffer: checked to lie within buf before they are read.
            unsafe {
                let s = &*(buf.as_ptr() as *const UnicodeString);
                let (start, end) = (buf.as_ptr() as usize, buf.as_ptr() as usize + buf.len() * 8);
                let chars = usize::from(s.length) / 2;
                let at = s.buffer as usize;
                if chars == 0 {
                    return Some(String::new());
                }
                if at < start || at % 2 != 0 || at + chars * 2 > end {
                    return None;
                }
                Some(String::from_utf16_lossy(std::slice::from_raw_parts(s.buffer, chars)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    #[cfg(unix)]
    fn parent_is_the_process_that_started_us() {
        let parent = Parent::current().expect("a parent");
        assert_eq!(parent.pid, std::os::unix::process::parent_id());
        assert!(!parent.exited());
    }

    #[test]
    fn destroy_commands() {
        assert!(is_destroy_command(&args("terraform destroy -auto-approve")));
        assert!(is_destroy_command(&args("/usr/bin/tofu -chdir=x apply -destroy -auto-approve")));
        assert!(is_destroy_command(&args("terraform plan --destroy")));
        assert!(is_destroy_command(&args("python scripts/terraform-embedded destroy -no-color")));
        assert!(!is_destroy_command(&args("terraform apply -auto-approve")));
        assert!(!is_destroy_command(&args("terraform plan -out=destroy")));
        assert!(!is_destroy_command(&args("terraform apply destroy.tfplan")));
        assert!(!is_destroy_command(&args("terraform")));
    }
}
