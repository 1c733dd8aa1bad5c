//! Running whaleshell in tests: each test gets its own state root, and
//! checks on drop that it left no mounts, cgroups or processes behind.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use whaleshell_runtime::container::ContainerRecord;
use whaleshell_runtime::Runtime;

pub struct Lab {
    dir: tempfile::TempDir,
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Lab {
    pub fn new() -> Lab {
        let dir = tempfile::Builder::new().prefix("wsh-test-").tempdir().expect("temp dir");
        Lab { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_whaleshell"));
        cmd.arg("--root").arg(self.root()).env("NO_COLOR", "1").env_remove("WHALESHELL_ROOT");
        // Registry logins stay in this lab, never in the user's ~/.docker.
        cmd.env("DOCKER_CONFIG", self.root().join("docker-config"));
        // AWS settings too (`~/.aws`), and never the instance metadata service.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("HOME", self.root().join("home")).env("AWS_EC2_METADATA_DISABLED", "true");
        // Tables are as wide as the terminal says: no caller's COLUMNS.
        cmd.env_remove("COLUMNS");
        cmd
    }

    /// Runs one line with `-c`, stdin closed.
    pub fn run(&self, line: &str) -> Run {
        let out = self.command().arg("-c").arg(line).stdin(Stdio::null()).output().expect("run whaleshell");
        Run::from(out)
    }

    /// Runs lines fed on stdin, as a script would.
    pub fn run_stdin(&self, lines: &str) -> Run {
        use std::io::Write;
        let mut child = self.command().stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn whaleshell");
        child.stdin.take().expect("stdin").write_all(lines.as_bytes()).expect("write stdin");
        Run::from(child.wait_with_output().expect("wait whaleshell"))
    }

    /// The engine on this lab's root, to check real state.
    pub fn runtime(&self) -> Runtime {
        Runtime::open(self.root()).expect("open runtime")
    }

    pub fn container_ids(&self) -> Vec<String> {
        self.runtime().containers.list().expect("list").into_iter().map(|c| c.id).collect()
    }

    /// Asserts nothing of this lab is mounted, running or in a cgroup: for
    /// every container the lab ever created (the engine's event log), removed
    /// or not, no cgroup directory on either layout (v1 controllers, the
    /// hybrid host's v2 `unified` tree, a unified v2 host) and no process in one.
    pub fn assert_clean(&self) {
        let root = self.root().to_string_lossy().into_owned();
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
        let left: Vec<&str> = mounts.lines().filter(|l| l.contains(&root)).collect();
        assert!(left.is_empty(), "mounts left behind: {left:#?}");
        let ids = self.every_container_id();
        for id in &ids {
            for base in ["memory", "pids", "cpu", "cpuacct", "devices", "freezer", "blkio", "cpuset", "unified", ""] {
                let cg = PathBuf::from(format!("/sys/fs/cgroup/{base}/whaleshell/{id}"));
                assert!(!cg.exists(), "cgroup left behind: {}", cg.display());
            }
        }
        let in_cgroups: Vec<String> = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .filter_map(|e| {
                let cgroups = std::fs::read_to_string(e.path().join("cgroup")).ok()?;
                let id = ids.iter().find(|id| cgroups.contains(&format!("/whaleshell/{id}")))?;
                Some(format!("pid {} in {id}'s cgroup", e.file_name().to_string_lossy()))
            })
            .collect();
        assert!(in_cgroups.is_empty(), "container processes left: {in_cgroups:#?}");
        let monitors = Command::new("pgrep").arg("-f").arg(format!("__whaleshell-monitor {root}")).output().expect("pgrep");
        assert!(monitors.stdout.is_empty(), "monitor processes left: {}", String::from_utf8_lossy(&monitors.stdout));
        self.assert_network_clean(&ids);
    }

    /// No bridge of the lab's networks (removed ones too), no container's
    /// network namespace still pinned, no aardvark-dns of its roots, no
    /// firewall rule for the subnets its networks hold.
    fn assert_network_clean(&self, container_ids: &[String]) {
        let mut bridges: Vec<String> = Vec::new();
        let mut subnets: Vec<String> = Vec::new();
        for root in self.every_root() {
            let rt = Runtime::open(&root).expect("open runtime");
            let logged = whaleshell_runtime::events::read(&rt.layout).unwrap_or_default();
            bridges.extend(logged.iter().filter(|e| e.kind == "network" && e.action == "create").map(|e| format!("br-{}", &e.id[..12])));
            let dir = root.join("networks");
            for entry in std::fs::read_dir(&dir).map(|d| d.flatten().collect::<Vec<_>>()).unwrap_or_default() {
                let Some(id) = entry.path().file_stem().map(|s| s.to_string_lossy().into_owned()) else { continue };
                if let Ok(Some(n)) = rt.networks.get(&id) {
                    bridges.extend(n.bridge);
                    subnets.extend(n.subnet.map(|s| s.to_string()));
                }
            }
            let aardvark = Command::new("pgrep").arg("-f").arg(format!("aardvark-dns --config {}/", root.display())).output().expect("pgrep");
            assert!(aardvark.stdout.is_empty(), "aardvark-dns left: {}", String::from_utf8_lossy(&aardvark.stdout));
        }
        for bridge in &bridges {
            assert!(!Path::new("/sys/class/net").join(bridge).exists(), "bridge left behind: {bridge}");
        }
        for id in container_ids {
            let pinned = Path::new(whaleshell_runtime::network::host::HOST_DIR).join("netns").join(id);
            assert!(!pinned.exists(), "network namespace left pinned: {}", pinned.display());
        }
        if !subnets.is_empty() {
            let rules = iptables_rules();
            let left: Vec<&str> = rules.lines().filter(|l| subnets.iter().any(|s| l.contains(s.as_str()))).collect();
            assert!(left.is_empty(), "firewall rules left: {left:#?}");
        }
    }

    /// The lab's state root and those inside it: a lesson's, `lessons check`'s.
    fn every_root(&self) -> Vec<PathBuf> {
        let nested =
            |dir: &str| -> Vec<PathBuf> { std::fs::read_dir(self.root().join(dir)).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default() };
        std::iter::once(self.root().to_owned()).chain(nested("lessons")).chain(nested("lessons-check")).filter(|r| r.join("events.jsonl").exists()).collect()
    }

    /// Every container this lab's engine created, removed ones too — and
    /// those of the state roots inside it: a lesson's (`lessons/<slug>`),
    /// `lessons check`'s (`lessons-check/<slug>`).
    pub fn every_container_id(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for root in self.every_root() {
            let layout = Runtime::open(&root).expect("open runtime").layout.clone();
            let logged = whaleshell_runtime::events::read(&layout).expect("event log");
            ids.extend(logged.into_iter().filter(|e| e.kind == "container" && e.action == "create").map(|e| e.id));
        }
        ids.extend(self.all_container_dirs());
        ids.sort();
        ids.dedup();
        ids
    }

    /// Runs a line on a fresh terminal (a pty) and plays a user at it: each
    /// step waits until the screen shows `after` (all output so far), then
    /// types `keys`. Returns what the terminal showed and the exit status.
    pub fn run_on_terminal(&self, line: &str, steps: &[(&str, &[u8])]) -> (String, Option<i32>) {
        self.play_terminal(&["-c", line], steps, Terminal { controlling: false, colors: false })
    }

    /// The REPL on a pseudo-terminal that is its controlling terminal, so
    /// that Ctrl-C is a signal to its foreground process group.
    pub fn repl_on_controlling_terminal(&self, steps: &[(&str, &[u8])]) -> (String, Option<i32>) {
        self.play_terminal(&[], steps, Terminal { controlling: true, colors: false })
    }

    /// As [`Lab::run_on_terminal`], on a terminal that is whaleshell's
    /// controlling one, so Ctrl-C (`\x03`) sends SIGINT as a real one does.
    pub fn run_on_controlling_terminal(&self, line: &str, steps: &[(&str, &[u8])]) -> (String, Option<i32>) {
        self.play_terminal(&["-c", line], steps, Terminal { controlling: true, colors: false })
    }

    /// Opens the REPL itself on a pty (history and lesson progress kept in
    /// this lab) and plays `steps` at it.
    pub fn repl_on_terminal(&self, steps: &[(&str, &[u8])]) -> (String, Option<i32>) {
        self.play_terminal(&[], steps, Terminal { controlling: false, colors: false })
    }

    /// As [`Lab::repl_on_terminal`], on a terminal that shows colors
    /// (xterm, no NO_COLOR): the line editor draws and highlights as for a learner.
    pub fn repl_on_color_terminal(&self, steps: &[(&str, &[u8])]) -> (String, Option<i32>) {
        self.play_terminal(&[], steps, Terminal { controlling: false, colors: true })
    }

    fn play_terminal(&self, args: &[&str], steps: &[(&str, &[u8])], terminal: Terminal) -> (String, Option<i32>) {
        use std::io::{Read, Write};
        use std::os::unix::process::CommandExt;
        let pty = nix::pty::openpty(None, None).expect("openpty");
        // Not inherited beyond the stdio given to whaleshell: a detached
        // monitor holding a copy would keep the terminal's output open.
        for fd in [&pty.master, &pty.slave] {
            nix::fcntl::fcntl(std::os::fd::AsRawFd::as_raw_fd(fd), nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC)).expect("FD_CLOEXEC");
        }
        let slave = std::fs::File::from(pty.slave);
        let mut cmd = self.command();
        if terminal.colors {
            cmd.env_remove("NO_COLOR");
        }
        if terminal.controlling {
            // SAFETY: setsid and ioctl are async-signal-safe.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd
            .args(args)
            .env("XDG_DATA_HOME", self.root().join("xdg"))
            .env("TERM", if terminal.colors { "xterm" } else { "dumb" })
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave)
            .spawn()
            .expect("spawn whaleshell");
        // The command holds the slave's fds until dropped; the output ends only once none is open.
        drop(cmd);
        let mut master = std::fs::File::from(pty.master);
        let mut reader = master.try_clone().unwrap();
        let (seen_tx, seen_rx) = std::sync::mpsc::channel::<String>();
        let output = std::thread::spawn(move || {
            let mut all = Vec::new();
            let mut buf = [0u8; 4096];
            // EIO once every slave fd is closed, that is once whaleshell and its helpers exit.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                all.extend_from_slice(&buf[..n]);
                let _ = seen_tx.send(String::from_utf8_lossy(&all).into_owned());
            }
            String::from_utf8_lossy(&all).into_owned()
        });
        for (after, keys) in steps {
            while !after.is_empty() {
                match seen_rx.recv_timeout(std::time::Duration::from_secs(20)) {
                    Ok(screen) if screen.contains(after) => break,
                    Ok(_) => {}
                    Err(_) => panic!("the terminal never showed {after:?}"),
                }
            }
            master.write_all(keys).unwrap();
        }
        let status = child.wait().expect("wait whaleshell");
        drop(master);
        (output.join().unwrap(), status.code())
    }

    /// `docker inspect -f TEMPLATE ID`, which must succeed, trimmed.
    pub fn inspect(&self, template: &str, id: &str) -> String {
        let run = self.run(&format!("docker inspect -f '{template}' {id}"));
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.trim().to_owned()
    }

    /// `docker events --since 0 --until NOW FLAGS --format TEMPLATE`: the
    /// events logged so far, oldest first, one line each.
    pub fn events_so_far(&self, flags: &str, template: &str) -> Vec<String> {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
        let run = self.run(&format!("docker events --since 0 --until {}.{:09} {flags} --format '{template}'", t.as_secs(), t.subsec_nanos()));
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.lines().map(str::to_owned).collect()
    }

    /// Polls a container's record, up to 60 s, until `done` holds; returns it.
    pub fn wait_for_record(&self, id: &str, what: &str, done: impl Fn(&ContainerRecord) -> bool) -> ContainerRecord {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let record = self.record(id);
            if done(&record) {
                return record;
            }
            assert!(std::time::Instant::now() < deadline, "{id} never {what}: {:?}", record.state);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Waits, up to 30 s, until `ready` holds (state the runtime reaches on
    /// its own, such as a container's processes having started).
    pub fn wait_until(&self, what: &str, ready: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !ready() {
            assert!(std::time::Instant::now() < deadline, "never: {what}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Starts a detached container and returns its full ID.
    pub fn run_detached(&self, line: &str) -> String {
        let run = self.run(line);
        assert_eq!(run.code, 0, "{line}: {}", run.stderr);
        let id = run.stdout.trim().to_owned();
        assert_eq!(id.len(), 64, "{line} printed {id:?}");
        id
    }

    /// The host port `docker port` shows for a container's `port`.
    pub fn published_port(&self, id: &str, port: u16) -> u16 {
        let line = self.run(&format!("docker port {id} {port}")).stdout;
        line.trim().rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("docker port printed {line:?}"))
    }

    /// Waits until the container's network namespace has a socket listening
    /// on `port` (read from its /proc/PID/net/tcp{,6}): a server that has just
    /// started may not have bound yet, and a request then finds nobody.
    pub fn wait_listening(&self, id: &str, port: u16) {
        let pid = self.record(id).state.pid.expect("a running container has a PID");
        let wanted = format!(":{port:04X} ");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let listening = || {
            ["tcp", "tcp6"].iter().any(|f| {
                let table = std::fs::read_to_string(format!("/proc/{pid}/net/{f}")).unwrap_or_default();
                // Column 2 is local address:port, column 4 the state (0A = LISTEN).
                table.lines().skip(1).any(|l| {
                    let cols: Vec<&str> = l.split_whitespace().collect();
                    cols.len() > 3 && format!("{} ", cols[1]).ends_with(&wanted) && cols[3] == "0A"
                })
            })
        };
        while !listening() {
            assert!(std::time::Instant::now() < deadline, "nothing listened on port {port} in {id}");
            std::thread::yield_now();
        }
    }

    pub fn record(&self, id: &str) -> whaleshell_runtime::container::ContainerRecord {
        self.runtime().containers.find(id).expect("container record")
    }

    fn all_container_dirs(&self) -> Vec<String> {
        std::fs::read_dir(self.root().join("containers"))
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // Remove what tests left (stopped containers) so the temp dir can go.
        if let Ok(rt) = Runtime::open(self.root()) {
            for c in rt.containers.list().unwrap_or_default() {
                let _ = rt.containers.remove(&c.id, true, true);
            }
        }
    }
}

/// A real HTTP GET of 127.0.0.1:`port` with curl: status line, headers and body.
pub fn http_get(port: u16) -> String {
    let curl = Command::new("curl").args(["-si", &format!("http://127.0.0.1:{port}/")]).output().expect("run curl");
    String::from_utf8_lossy(&curl.stdout).into_owned()
}

/// A host port nobody listens on now, for a tutorial-style `-p PORT:80`.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0)).and_then(|l| l.local_addr()).expect("a free port").port()
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }
}

/// The host's firewall rules, nat and filter tables (`iptables -S`).
pub fn iptables_rules() -> String {
    let mut out = String::new();
    for table in ["nat", "filter"] {
        let run = Command::new("iptables").args(["-w", "-t", table, "-S"]).output().expect("iptables");
        out.push_str(&String::from_utf8_lossy(&run.stdout));
    }
    out
}

/// What changes from run to run (IDs, digests, times, generated names), and what stands for it in snapshots.
pub const VOLATILE: &[(&str, &str)] = &[
    (r"sha256:[0-9a-f]{64}", "sha256:[DIGEST]"),
    (r"\b[0-9a-f]{64}\b", "[ID64]"),
    (r"\b[0-9a-f]{12}\b", "[ID]"),
    (r"\b[a-z]+_[a-z]+\b", "[NAME]"),
    (r"(Less than a second|About a minute|About an hour|\d+ (seconds?|minutes|hours|days|weeks|months|years)) ago", "[AGO]"),
];

/// Replaces what changes from run to run for snapshots. Tables are checked
/// for Docker's spacing first (see [`docker_tables`]) and drawn again with
/// the placeholders, so a snapshot shows columns as Docker aligns them.
#[macro_export]
macro_rules! assert_normalized_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!($name, $crate::common::docker_tables(&$value));
        });
    };
}

fn without_volatile(text: &str) -> String {
    VOLATILE.iter().fold(text.to_owned(), |t, (pattern, with)| regex::Regex::new(pattern).expect("pattern").replace_all(&t, *with).into_owned())
}

/// Docker's table spacing, which `docker ps`, `images`, `system df` …
/// share: each column as wide as its widest cell plus 3, and at least 10.
fn draw_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(|c| (rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0) + 3).max(10)).collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if c + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[c] - cell.chars().count()));
                }
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The cells of a table under a header of upper-case column names, cut
/// where the header's columns start.
fn table_cells(block: &[&str]) -> Vec<Vec<String>> {
    let header: Vec<char> = block[0].chars().collect();
    let starts: Vec<usize> = (0..header.len()).filter(|&i| header[i] != ' ' && (i == 0 || (i >= 3 && header[i - 3..i].iter().all(|c| *c == ' ')))).collect();
    block
        .iter()
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            starts
                .iter()
                .enumerate()
                .map(|(n, &start)| {
                    let end = starts.get(n + 1).copied().unwrap_or(chars.len()).min(chars.len());
                    chars.get(start.min(chars.len())..end).map(|c| c.iter().collect::<String>().trim_end().to_owned()).unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

/// Checks every table in `text` (a header line of upper-case names and the
/// rows under it, up to a blank line) for Docker's spacing, and returns the
/// text with run-to-run values replaced and the tables drawn again with them.
pub fn docker_tables(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let is_header = lines[i].contains("   ") && lines[i].chars().all(|c| c.is_ascii_uppercase() || c == ' ');
        if !is_header {
            out.push(without_volatile(lines[i]).trim_end().to_owned());
            i += 1;
            continue;
        }
        let end = (i..lines.len()).find(|&j| lines[j].trim().is_empty()).unwrap_or(lines.len());
        let block = &lines[i..end];
        let cells = table_cells(block);
        assert_eq!(draw_table(&cells), block.join("\n"), "this table is not spaced as Docker spaces its tables:\n{}", block.join("\n"));
        let normalized: Vec<Vec<String>> = cells.iter().map(|row| row.iter().map(|c| without_volatile(c)).collect()).collect();
        out.push(draw_table(&normalized));
        i = end;
    }
    out.join("\n") + if text.ends_with('\n') { "\n" } else { "" }
}

/// A real registry server (Debian's docker-registry) on 127.0.0.1 with one
/// htpasswd login, for this test only; stopped when dropped.
pub struct Registry {
    pub address: String,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

pub const REGISTRY_USER: &str = "learner";
pub const REGISTRY_PASSWORD: &str = "s3cret";

impl Registry {
    pub fn start() -> Registry {
        use std::io::BufRead;
        let dir = tempfile::Builder::new().prefix("wsh-registry-").tempdir().expect("temp dir");
        let htpasswd = Command::new("htpasswd").args(["-Bbn", REGISTRY_USER, REGISTRY_PASSWORD]).output().expect("htpasswd (apache2-utils)");
        std::fs::write(dir.path().join("htpasswd"), &htpasswd.stdout).unwrap();
        // A free port: bind, read it, let go (the registry takes it right after).
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let address = format!("127.0.0.1:{port}");
        let config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {address}\n  secret: test\nauth:\n  htpasswd:\n    realm: basic-realm\n    path: {}\n",
            dir.path().join("data").display(),
            dir.path().join("htpasswd").display()
        );
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let mut child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("docker-registry (Debian package)");
        // Ready when it says it listens: wait on its log, not on the clock.
        let mut log = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            if log.read_line(&mut line).unwrap_or(0) == 0 {
                panic!("docker-registry exited before listening");
            }
            if line.contains("listening on") {
                break;
            }
        }
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
        Registry { address, child, _dir: dir }
    }

    /// Where the registry keeps a blob's bytes (Distribution's filesystem layout).
    pub fn blob_file(&self, digest: &str) -> std::path::PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self._dir.path().join("data/docker/registry/v2/blobs/sha256").join(&hex[..2]).join(hex).join("data")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A line run by `sh` against the real Docker engine the opt-in tests
/// compare with (`../shared/tools/real-docker` starts one).
pub fn real_docker(line: &str) -> Run {
    let out = Command::new("sh").arg("-c").arg(line).output().expect("sh");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// What kind of terminal [`Lab::play_terminal`] gives whaleshell.
struct Terminal {
    /// Whaleshell's controlling terminal: Ctrl-C is a signal.
    controlling: bool,
    /// Colors on (TERM=xterm); else TERM=dumb and NO_COLOR, as on a plain log.
    colors: bool,
}
