//! A process jail from Linux namespaces: a child that is PID 1 of its own
//! process tree, has its own hostname and mounts, and sees no network but
//! loopback — while the rest of the machine is untouched.

use std::fs;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, ExitCode};
use std::time::Duration;

use book_helpers::cli;

use clap::{Parser, Subcommand};
use nix::errno::Errno;
use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, unshare};
use nix::unistd::{Gid, Uid, gethostname, sethostname};

/// Runs a child of this program in new PID, UTS, mount and network
/// namespaces and prints what the child can see from inside.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The hostname inside the jail (1 to 64 letters, digits or '-').
    #[arg(long, default_value = "jail", value_parser = hostname)]
    hostname: String,

    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Subcommand)]
enum Role {
    /// Creates the namespaces and starts the prisoner (started by `main`).
    #[command(hide = true)]
    Warden {
        #[arg(long)]
        hostname: String,
    },
    /// Looks around from inside (started by the warden).
    #[command(hide = true)]
    Inside {
        #[arg(long)]
        hostname: String,
    },
}

fn hostname(name: &str) -> Result<String, String> {
    let fine = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if fine {
        Ok(name.to_string())
    } else {
        Err("1 to 64 letters, digits or '-'".to_string())
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.role {
        None => outside(&args.hostname),
        Some(Role::Warden { hostname }) => warden(hostname),
        Some(Role::Inside { hostname }) => inside(hostname),
    };
    cli::exit_code(result)
}

fn own_binary() -> io::Result<Command> {
    Ok(Command::new(std::env::current_exe()?))
}

/// The program as started: it stays in the machine's namespaces, so it can
/// check afterwards that the jail changed nothing out here.
fn outside(hostname: &str) -> io::Result<()> {
    let before = host_name()?;
    let status = own_binary()?
        .args(["warden", "--hostname", hostname])
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!("the jail failed ({status})")));
    }
    println!("outside again:");
    println!("  hostname unchanged:   {}", host_name()? == before);
    Ok(())
}

// ANCHOR: warden
fn warden(hostname: &str) -> io::Result<()> {
    let (uid, gid) = (Uid::effective(), Gid::effective());
    let mut new = CloneFlags::CLONE_NEWPID
        | CloneFlags::CLONE_NEWUTS
        | CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWNET;
    if !uid.is_root() {
        // Without root, a user namespace comes first: in it we are root,
        // with the rights to create the others.
        new |= CloneFlags::CLONE_NEWUSER;
    }
    unshare(new).map_err(|errno| missing_right(errno, uid.is_root()))?;
    if uid.is_root() {
        println!("as root: PID, UTS, mount and network namespaces created");
    } else {
        map_to_root(uid, gid)?;
        println!("as uid {uid}: a user namespace (uid {uid} is root in it),");
        println!("  then PID, UTS, mount and network namespaces");
    }
    // This process keeps its PID; its first child is PID 1 of the new
    // PID namespace, and inherits the UTS, mount and network ones.
    let status = own_binary()?
        .args(["inside", "--hostname", hostname])
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("the prisoner failed ({status})")))
    }
}
// ANCHOR_END: warden

/// In a new user namespace nobody has a user id until the maps say so:
/// map our own ids to root, the only mapping an unprivileged user may write.
fn map_to_root(uid: Uid, gid: Gid) -> io::Result<()> {
    fs::write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    // setgroups must be switched off before an unprivileged gid_map.
    fs::write("/proc/self/setgroups", "deny")?;
    fs::write("/proc/self/gid_map", format!("0 {gid} 1"))
}

// ANCHOR: missing_right
/// Says which right is missing when the kernel refuses a namespace.
fn missing_right(errno: Errno, root: bool) -> io::Error {
    let why = match errno {
        Errno::EPERM if root => {
            "this root process lacks CAP_SYS_ADMIN (a container started \
             without it, or the capability dropped); namespaces need it"
        }
        Errno::EPERM | Errno::EACCES => {
            "this user may not create a user namespace: unprivileged user \
             namespaces are disabled (sysctl kernel.unprivileged_userns_clone \
             or an AppArmor/SELinux rule); run as root instead"
        }
        Errno::ENOSPC => {
            "the limit on namespaces is reached (sysctl \
             user.max_user_namespaces may be 0)"
        }
        Errno::EINVAL => "this kernel was built without namespace support",
        _ => "the kernel refused",
    };
    io::Error::other(format!("cannot create namespaces ({errno}): {why}"))
}
// ANCHOR_END: missing_right

// ANCHOR: inside
fn inside(hostname: &str) -> io::Result<()> {
    sethostname(hostname).map_err(|e| refused("setting the hostname", e))?;
    // Make every mount private first, so that what we mount in here never
    // propagates back to the machine; then a /proc of our own PID space.
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|e| refused("making mounts private", e))?;
    mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        MsFlags::empty(),
        None::<&str>,
    )
    .map_err(|e| refused("mounting /proc", e))?;

    println!("inside the jail:");
    println!("  my pid:               {}", std::process::id());
    println!("  hostname:             {}", host_name()?);
    println!("  processes in /proc:   {}", processes()?);
    println!("  network interfaces:   {}", interfaces()?.join(", "));
    let far = SocketAddr::from(([192, 0, 2, 1], 9)); // a documentation address
    let attempt = TcpStream::connect_timeout(&far, Duration::from_secs(2));
    let answer = attempt.map_or_else(|e| e.to_string(), |_| "connected".into());
    println!("  connect to {far}: {answer}");
    Ok(())
}
// ANCHOR_END: inside

fn refused(what: &str, errno: Errno) -> io::Error {
    io::Error::other(format!("{what} inside the jail was refused: {errno}"))
}

fn host_name() -> io::Result<String> {
    let name = gethostname().map_err(io::Error::from)?;
    Ok(name.to_string_lossy().into_owned())
}

/// Processes this PID namespace can see: the numbered folders of /proc.
fn processes() -> io::Result<usize> {
    let mut count = 0;
    for entry in fs::read_dir("/proc")? {
        let name = entry?.file_name();
        if name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            count += 1;
        }
    }
    Ok(count)
}

/// Network interfaces of this process's network namespace.
fn interfaces() -> io::Result<Vec<String>> {
    let table = fs::read_to_string("/proc/self/net/dev")?;
    // Two header lines, then "  name: counters...".
    Ok(table
        .lines()
        .skip(2)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name.trim().to_string())
        .collect())
}
