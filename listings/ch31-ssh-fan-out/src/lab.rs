//! Several ssh hosts on one machine, for the listing's demonstration and its
//! tests: each host is a network namespace with its own address, hostname and
//! `sshd` (as root), or an `sshd` on its own loopback address (127.0.0.2,
//! 127.0.0.3, …) where namespaces cannot be made. Keys, configurations and
//! `known_hosts` are generated in a private temporary folder.
//!
//! A [`Lab`] is a guard: dropping it — at the end of a scope or while a test
//! panics — kills every `sshd`, deletes every namespace and interface it made
//! and removes its folder.

use std::fs::{self, File};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use book_helpers::server;
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, Uid, User};

use crate::fan_out::SshOptions;
use crate::hostfile::Host;

const SSHD: &str = "/usr/sbin/sshd";

/// Where the lab's hosts live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One network namespace per host, joined by a bridge (needs root).
    Namespaces,
    /// One `sshd` per loopback address, all in this machine's network.
    Loopback,
}

impl Mode {
    /// Namespaces where this process may make them, loopback otherwise.
    pub fn best() -> Mode {
        let can_make_namespaces = Uid::effective().is_root()
            && Command::new("ip")
                .args(["netns", "list"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
        if can_make_namespaces {
            Mode::Namespaces
        } else {
            Mode::Loopback
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Mode::Namespaces => {
                "network namespaces (per host: network, address, hostname, sshd)"
            }
            Mode::Loopback => {
                "loopback addresses (per host: an sshd on its own 127.0.0.x)"
            }
        }
    }
}

/// The hosts, their sshd processes, and everything made to run them.
pub struct Lab {
    mode: Mode,
    dir: PathBuf,
    hosts: Vec<Host>,
    sshd: Vec<Child>,
    namespaces: Vec<String>,
    /// This namespace's ends of the veth pairs.
    links: Vec<String>,
    bridge: Option<String>,
}

/// The private addresses the namespace hosts use: 10.231.<lab>.0/24.
const SUBNET: &str = "10.231";

impl Lab {
    /// Makes `count` hosts and waits until each one's sshd accepts connections.
    pub fn start(count: usize, mode: Mode) -> Result<Lab, String> {
        if !Path::new(SSHD).exists() {
            return Err(format!(
                "no {SSHD}: install openssh-server, or run `cargo xtask setup`"
            ));
        }
        let mut lab = Lab {
            mode,
            dir: private_folder()?,
            hosts: Vec::new(),
            sshd: Vec::new(),
            namespaces: Vec::new(),
            links: Vec::new(),
            bridge: None,
        };
        // From here on, an early return drops `lab`, which undoes what was
        // done.
        lab.make_keys(count)?;
        match mode {
            Mode::Namespaces => lab.make_namespace_hosts(count)?,
            Mode::Loopback => lab.make_loopback_hosts(count)?,
        }
        lab.write_client_files()?;
        for index in 0..count {
            lab.start_sshd(index)?;
        }
        for index in 0..count {
            lab.wait_until_listening(index)?;
        }
        Ok(lab)
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// The namespaces this lab made (empty in loopback mode).
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    /// The host list, in the format `--hostfile` reads.
    pub fn hostfile(&self) -> PathBuf {
        self.dir.join("hosts")
    }

    /// Everything ssh needs to reach these hosts and trust nothing else.
    pub fn ssh_options(
        &self,
        connect_timeout: Duration,
        deadline: Duration,
    ) -> SshOptions {
        SshOptions {
            config: Some(PathBuf::from("none")),
            user: Some(current_user()),
            identity: Some(self.dir.join("client_key")),
            known_hosts: Some(self.dir.join("known_hosts")),
            connect_timeout,
            deadline,
        }
    }

    /// The same settings as one `ssh` command line, for tools that take one
    /// (Open MPI's `plm_rsh_agent`, `rsync -e`) or a reader at a shell.
    pub fn ssh_command_line(&self) -> String {
        format!(
            "ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
             -o UserKnownHostsFile={} -o IdentitiesOnly=yes -i {}",
            self.dir.join("known_hosts").display(),
            self.dir.join("client_key").display()
        )
    }

    /// Stops host `index`'s sshd: connecting to it is refused at once.
    pub fn stop(&mut self, index: usize) {
        let sshd = &mut self.sshd[index];
        sshd.kill().ok();
        sshd.wait().ok();
    }

    /// Freezes host `index`'s sshd (SIGSTOP): the kernel still accepts the
    /// connection, but nobody answers — a hung machine, seen from outside.
    pub fn freeze(&mut self, index: usize) -> Result<(), String> {
        let pid = Pid::from_raw(self.sshd[index].id() as i32);
        kill(pid, Signal::SIGSTOP)
            .map_err(|error| format!("cannot freeze sshd: {error}"))
    }

    fn make_keys(&self, count: usize) -> Result<(), String> {
        let mut names: Vec<String> =
            (1..=count).map(|i| format!("host{i}_key")).collect();
        names.push("client_key".to_string());
        for name in names {
            let path = self.dir.join(name);
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "ch31-lab", "-f"])
                .arg(&path))
            .map_err(|error| {
                format!("ssh-keygen (install openssh-client): {error}")
            })?;
        }
        fs::copy(
            self.dir.join("client_key.pub"),
            self.dir.join("authorized_keys"),
        )
        .map_err(|error| format!("cannot write authorized_keys: {error}"))?;
        Ok(())
    }

    // ANCHOR: namespaces
    /// A bridge in this namespace (10.231.<lab>.1) and one namespace per host,
    /// joined to the bridge by a veth pair, with address 10.231.<lab>.<10+i>.
    fn make_namespace_hosts(&mut self, count: usize) -> Result<(), String> {
        // Two labs choosing a subnet at once would choose the same one.
        let lock = File::create(std::env::temp_dir().join("ch31-ssh-lab.lock"))
            .and_then(|file| file.lock().map(|()| file))
            .map_err(|error| format!("cannot take the lab lock: {error}"))?;
        let lab = free_subnet()?;
        let bridge = format!("c31br{lab}");
        ip(&["link", "add", &bridge, "type", "bridge"])?;
        self.bridge = Some(bridge.clone());
        ip(&[
            "addr",
            "add",
            &format!("{SUBNET}.{lab}.1/24"),
            "dev",
            &bridge,
        ])?;
        ip(&["link", "set", &bridge, "up"])?;
        drop(lock); // the subnet is visibly taken now
        for i in 1..=count {
            let namespace = format!("ch31-lab{lab}-host{i}");
            let outside = format!("c31v{lab}h{i}");
            let address = format!("{SUBNET}.{lab}.{}", 10 + i);
            ip(&["netns", "add", &namespace])?;
            self.namespaces.push(namespace.clone());
            ip(&[
                "link", "add", &outside, "type", "veth", "peer", "name",
                "eth0", "netns", &namespace,
            ])?;
            self.links.push(outside.clone());
            ip(&["link", "set", &outside, "master", &bridge, "up"])?;
            ip(&[
                "-n",
                &namespace,
                "addr",
                "add",
                &format!("{address}/24"),
                "dev",
                "eth0",
            ])?;
            ip(&["-n", &namespace, "link", "set", "eth0", "up"])?;
            ip(&["-n", &namespace, "link", "set", "lo", "up"])?;
            self.hosts.push(Host {
                name: format!("host{i}"),
                address,
                port: 22, // each namespace has its own port 22
            });
        }
        Ok(())
    }
    // ANCHOR_END: namespaces

    /// Hosts 127.0.0.2, 127.0.0.3, …: the whole of 127.0.0.0/8 is this
    /// machine's loopback. They share one port space, so each gets a free port.
    fn make_loopback_hosts(&mut self, count: usize) -> Result<(), String> {
        for i in 1..=count {
            let address = format!("127.0.0.{}", i + 1);
            let port = TcpListener::bind((address.as_str(), 0))
                .and_then(|listener| listener.local_addr())
                .map_err(|error| format!("no free port on {address}: {error}"))?
                .port();
            self.hosts.push(Host {
                name: format!("host{i}"),
                address,
                port,
            });
        }
        Ok(())
    }

    /// The host list and the `known_hosts` that vouches for every host key.
    fn write_client_files(&self) -> Result<(), String> {
        let mut hostfile = String::from("# name address port\n");
        let mut known_hosts = String::new();
        for (index, host) in self.hosts.iter().enumerate() {
            hostfile.push_str(&format!("{host}\n"));
            let key = fs::read_to_string(
                self.dir.join(format!("host{}_key.pub", index + 1)),
            )
            .map_err(|error| format!("cannot read a host key: {error}"))?;
            let key: Vec<&str> = key.split_whitespace().take(2).collect();
            let name = if host.port == 22 {
                host.address.clone()
            } else {
                format!("[{}]:{}", host.address, host.port)
            };
            known_hosts.push_str(&format!("{name} {}\n", key.join(" ")));
        }
        fs::write(self.hostfile(), hostfile)
            .and_then(|()| fs::write(self.dir.join("known_hosts"), known_hosts))
            .map_err(|error| {
                format!("cannot write the client's files: {error}")
            })
    }

    // ANCHOR: sshd
    /// Host `index`'s sshd: keys only, its own host key, logging to a file.
    fn start_sshd(&mut self, index: usize) -> Result<(), String> {
        let host = &self.hosts[index];
        let config = self.dir.join(format!("sshd_config{}", index + 1));
        let dir = self.dir.display();
        fs::write(
            &config,
            format!(
                "ListenAddress {address}:{port}\n\
                 HostKey {dir}/host{n}_key\n\
                 AuthorizedKeysFile {dir}/authorized_keys\n\
                 PubkeyAuthentication yes\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 UsePAM no\n\
                 StrictModes no\n\
                 PermitRootLogin prohibit-password\n\
                 PidFile none\n\
                 LogLevel ERROR\n",
                address = host.address,
                port = host.port,
                n = index + 1,
            ),
        )
        .map_err(|error| {
            format!("cannot write {}: {error}", config.display())
        })?;
        if Uid::effective().is_root() {
            // sshd's privilege separation needs this folder (a system sshd
            // makes it at boot); it refuses to start without it.
            fs::create_dir_all("/run/sshd")
                .map_err(|error| format!("/run/sshd: {error}"))?;
        }
        // As root, sshd runs in a mount namespace in which the login's home
        // is an empty folder of its own, as on a fresh machine: the login
        // shell would otherwise run this machine's dotfiles on every host at
        // once, and those that rebuild a cache in the home race and print.
        let empty_home = r#"mount -t tmpfs -o mode=700 home "$HOME_DIR""#;
        let mut sshd = match self.mode {
            // Inside the host's network namespace too, and a UTS namespace of
            // its own so that `hostname` answers with the host's name.
            Mode::Namespaces => {
                let mut command = Command::new("ip");
                command
                    .args(["netns", "exec", &self.namespaces[index]])
                    .args(["unshare", "--uts", "--mount", "sh", "-c"])
                    .arg(format!(
                        r#"hostname "$0" && {empty_home} && exec "$1" -D -e -f "$2""#
                    ))
                    .arg(&host.name)
                    .arg(SSHD)
                    .arg(&config)
                    .env("HOME_DIR", home_of_current_user()?);
                command
            }
            Mode::Loopback if Uid::effective().is_root() => {
                let mut command = Command::new("unshare");
                command
                    .args(["--mount", "sh", "-c"])
                    .arg(format!(r#"{empty_home} && exec "$0" -D -e -f "$1""#))
                    .arg(SSHD)
                    .arg(&config)
                    .env("HOME_DIR", home_of_current_user()?);
                command
            }
            Mode::Loopback => {
                let mut command = Command::new(SSHD);
                command.args(["-D", "-e", "-f"]).arg(&config);
                command
            }
        };
        let log = File::create(self.dir.join(format!("sshd{}.log", index + 1)))
            .map_err(|error| format!("cannot create the sshd log: {error}"))?;
        let child = sshd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|error| format!("cannot start sshd: {error}"))?;
        self.sshd.push(child);
        Ok(())
    }
    // ANCHOR_END: sshd

    fn wait_until_listening(&mut self, index: usize) -> Result<(), String> {
        let host = &self.hosts[index];
        let address: SocketAddr = format!("{}:{}", host.address, host.port)
            .parse()
            .map_err(|error| format!("{}: {error}", host.address))?;
        let limit = Duration::from_secs(10);
        server::wait_until_listening(&mut self.sshd[index], address, limit)
            .map_err(|why| {
                let log = self.dir.join(format!("sshd{}.log", index + 1));
                let said = fs::read_to_string(log).unwrap_or_default();
                format!(
                    "sshd of {} did not start listening on {address} ({why}): {}",
                    host.name,
                    said.trim()
                )
            })
    }
}

// ANCHOR: guard
impl Drop for Lab {
    /// Undoes everything, in reverse, whatever state `start` reached. Errors
    /// are reported, not raised: a drop may run while a test is panicking.
    fn drop(&mut self) {
        for sshd in &mut self.sshd {
            sshd.kill().ok(); // SIGKILL also ends a frozen (stopped) process
            sshd.wait().ok();
        }
        // Deleting one end of a veth pair deletes both at once; left to the
        // namespace's end, it would linger until the kernel frees the
        // namespace.
        for link in &self.links {
            if let Err(error) = ip(&["link", "delete", link]) {
                eprintln!("warning: {error}");
            }
        }
        for namespace in &self.namespaces {
            // sshd's per-connection children may still be finishing; a
            // namespace with a process in it would outlive its name.
            for pid in processes_in(namespace) {
                kill(pid, Signal::SIGKILL).ok();
            }
            if let Err(error) = ip(&["netns", "delete", namespace]) {
                eprintln!("warning: {error}");
            }
        }
        if let Some(bridge) = &self.bridge
            && let Err(error) = ip(&["link", "delete", bridge])
        {
            eprintln!("warning: {error}");
        }
        if let Err(error) = fs::remove_dir_all(&self.dir) {
            eprintln!("warning: cannot remove {}: {error}", self.dir.display());
        }
    }
}
// ANCHOR_END: guard

/// The network namespaces on this machine whose names start with `prefix`.
pub fn namespaces_named(prefix: &str) -> Vec<String> {
    let listed = Command::new("ip").args(["netns", "list"]).output();
    let text =
        listed.map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
    text.unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| name.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// The processes living in a network namespace.
fn processes_in(namespace: &str) -> Vec<Pid> {
    let listed = Command::new("ip")
        .args(["netns", "pids", namespace])
        .output();
    let text =
        listed.map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
    text.unwrap_or_default()
        .split_whitespace()
        .filter_map(|pid| pid.parse().ok())
        .map(Pid::from_raw)
        .collect()
}

/// The first 10.231.<n>.0/24 that no address, interface or namespace on this
/// machine uses (a lab being torn down may still hold some of them).
fn free_subnet() -> Result<u8, String> {
    let mut used = String::new();
    for args in [
        &["-o", "-4", "addr", "show"][..],
        &["-o", "link", "show"],
        &["netns", "list"],
    ] {
        let listed = Command::new("ip")
            .args(args)
            .output()
            .map_err(|error| format!("cannot run ip: {error}"))?;
        used.push_str(&String::from_utf8_lossy(&listed.stdout));
    }
    (1..=254u8)
        .find(|n| {
            let taken = [
                format!(" {SUBNET}.{n}."),
                format!(" c31br{n}:"),
                format!(" c31v{n}h"),
                format!("ch31-lab{n}-"),
            ];
            !taken.iter().any(|mark| used.contains(mark))
        })
        .ok_or_else(|| format!("every {SUBNET}.x.0/24 subnet is in use"))
}

/// A fresh folder only this user can read: the private keys live in it.
fn private_folder() -> Result<PathBuf, String> {
    static LABS: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "ch31-ssh-lab-{}-{}",
        std::process::id(),
        LABS.fetch_add(1, Ordering::Relaxed)
    );
    let dir = std::env::temp_dir().join(name);
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    Ok(dir)
}

/// This process's user in the password database, if it has an entry.
fn effective_user() -> Option<User> {
    User::from_uid(Uid::effective()).ok().flatten()
}

fn current_user() -> String {
    effective_user().map_or_else(
        || std::env::var("USER").unwrap_or_default(),
        |user| user.name,
    )
}

/// The home folder sshd gives the login (from the password database).
fn home_of_current_user() -> Result<PathBuf, String> {
    effective_user().map(|user| user.dir).ok_or_else(|| {
        "this user has no entry in the password database".to_string()
    })
}

fn ip(args: &[&str]) -> Result<(), String> {
    run(Command::new("ip").args(args))
        .map_err(|error| format!("ip {}: {error}", args.join(" ")))
}

/// Runs a set-up command to completion; its stderr is the error.
fn run(command: &mut Command) -> Result<(), String> {
    let output = command.stdin(Stdio::null()).output().map_err(|error| {
        match error.kind() {
            io::ErrorKind::NotFound => "not installed".to_string(),
            _ => error.to_string(),
        }
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_up_command_fails_with_what_it_said_or_as_not_installed() {
        assert_eq!(run(&mut Command::new("true")), Ok(()));
        let complaining = run(Command::new("sh")
            .args(["-c", "echo 'Cannot open network namespace' >&2; exit 1"]));
        assert_eq!(complaining, Err("Cannot open network namespace".into()));
        let missing = run(&mut Command::new("no-such-ip-tool-here"));
        assert_eq!(missing, Err("not installed".into()));
        // Found but not runnable (a folder) is not "not installed".
        let not_runnable = run(&mut Command::new("/"));
        assert!(
            not_runnable
                .as_ref()
                .is_err_and(|error| error.contains("Permission denied")),
            "{not_runnable:?}"
        );
    }

    /// A namespace of the test's own, deleted however the test ends.
    struct Namespace(String);

    impl Drop for Namespace {
        fn drop(&mut self) {
            ip(&["netns", "delete", &self.0]).ok();
        }
    }

    #[test]
    fn the_processes_in_a_namespace_are_found() {
        if Mode::best() != Mode::Namespaces {
            eprintln!(
                "NOT EXERCISED: listing a namespace's processes (needs root)"
            );
            return;
        }
        let namespace = Namespace(format!("ch31-pids-{}", std::process::id()));
        ip(&["netns", "add", &namespace.0]).expect("the namespace is made");
        assert_eq!(processes_in(&namespace.0), []);
        // `ip netns exec` enters the namespace, then becomes `sleep`.
        let mut sleeper = Command::new("ip")
            .args(["netns", "exec", &namespace.0, "sleep", "30"])
            .spawn()
            .expect("ip runs");
        let pid = Pid::from_raw(sleeper.id().try_into().expect("a pid"));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut found = processes_in(&namespace.0);
        while found != [pid] && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            found = processes_in(&namespace.0);
        }
        sleeper.kill().ok();
        sleeper.wait().ok();
        assert_eq!(found, [pid]);
    }
}
