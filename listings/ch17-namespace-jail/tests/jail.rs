//! The jail from inside and outside: as root, as an unprivileged user (a
//! user namespace), and without the right to create namespaces. What this
//! machine cannot exercise is printed in the test output, never skipped
//! silently.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use book_helpers::cli::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch17-namespace-jail");

/// Printed past the test harness's capture, so it shows in every run.
fn not_exercised(what: &str, why: &str) {
    let mut stderr = std::io::stderr();
    writeln!(stderr, "NOT EXERCISED: {what}: {why}").ok();
}

fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").expect("readable")
}

/// What every successful jail shows from inside and outside.
fn assert_jailed(ran: &Ran, hostname: &str) {
    let stdout = &ran.stdout;
    assert!(ran.succeeded(), "{}", ran.stderr);
    for line in [
        "  my pid:               1\n".to_string(),
        format!("  hostname:             {hostname}\n"),
        "  processes in /proc:   1\n".to_string(),
        "  network interfaces:   lo\n".to_string(),
        "  hostname unchanged:   true\n".to_string(),
    ] {
        assert!(stdout.contains(&line), "missing {line:?} in\n{stdout}");
    }
    let connect = stdout.lines().find(|l| l.contains("connect to"));
    let connect = connect.expect("a connection was tried");
    assert!(!connect.ends_with("connected"), "{connect}");
}

/// The refusal a reader gets when a right is missing: exit 1 and a message
/// that names the right.
fn assert_names_the_right(ran: &Ran) {
    assert_eq!(ran.code, Some(1));
    let stderr = &ran.stderr;
    assert!(stderr.contains("cannot create namespaces"), "{stderr}");
    let named = ["CAP_SYS_ADMIN", "user namespace", "limit", "kernel"];
    assert!(named.iter().any(|right| stderr.contains(right)), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_prisoner_is_pid_1_with_its_own_hostname_and_only_loopback() {
    let before = host_name();
    let ran = cli::run(BINARY, &["--hostname", "cell-7"]);
    assert_eq!(host_name(), before, "the machine's hostname is untouched");
    if ran.succeeded() {
        assert_jailed(&ran, "cell-7");
    } else {
        assert_names_the_right(&ran);
        not_exercised("the jail itself", &ran.stderr);
    }
}

/// A copy of the binary that any user may run (the build folder may not
/// be readable by an unprivileged user).
fn public_copy(tag: &str) -> PathBuf {
    let name = format!("ch17-{tag}-{}", std::process::id());
    let dir = std::env::temp_dir().join(name);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let copy = dir.join("ch17-namespace-jail");
    std::fs::copy(BINARY, &copy).expect("copied");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    copy
}

/// Runs the jail through `setpriv` with `options`, if this machine can.
fn through_setpriv(tag: &str, options: &[&str], what: &str) -> Option<Ran> {
    if !is_root() {
        not_exercised(what, "needs root to change users or capabilities");
        return None;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        not_exercised(what, "no setpriv (util-linux) on this machine");
        return None;
    }
    let copy = public_copy(tag);
    let mut setpriv = Command::new("setpriv");
    setpriv.args(options).arg(&copy);
    let ran = cli::run_command(setpriv);
    std::fs::remove_dir_all(copy.parent().expect("in a folder")).ok();
    Some(ran)
}

#[test]
fn an_unprivileged_user_gets_a_user_namespace_first() {
    let what = "the unprivileged path (user namespace)";
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let Some(ran) = through_setpriv("nobody", &nobody, what) else {
        return;
    };
    if ran.succeeded() {
        assert_jailed(&ran, "jail");
        let stdout = &ran.stdout;
        assert!(
            stdout.contains("as uid 65534: a user namespace"),
            "{stdout}"
        );
    } else {
        assert_names_the_right(&ran);
        not_exercised(what, &ran.stderr);
    }
}

#[test]
fn root_without_cap_sys_admin_is_told_which_right_is_missing() {
    let what = "the refusal without CAP_SYS_ADMIN";
    let Some(ran) =
        through_setpriv("no-cap", &["--bounding-set=-sys_admin"], what)
    else {
        return;
    };
    assert_names_the_right(&ran);
    assert!(ran.stderr.contains("lacks CAP_SYS_ADMIN"), "{}", ran.stderr);
}

#[test]
fn help_and_bad_arguments() {
    cli::assert_help_mentions(BINARY, &["--hostname"]);
    let too_long = "x".repeat(65);
    cli::assert_refused(
        BINARY,
        &[
            &["--hostname", ""],
            &["--hostname", "two words"],
            &["--hostname", "a/b"],
            &["--hostname", &too_long],
        ],
    );
}
