//! The same program as one job across several hosts: chapter 31's network
//! namespaces, each running sshd, named in an Open MPI host file. Open MPI
//! reaches them over ssh, places one rank on each, and the ranks talk TCP
//! across the namespaces' bridge.

use std::io::Write;

use book_helpers::cli;
use ch30_mpi_basics::mpirun_on_hosts;
use ch31_ssh_fan_out::lab::{Lab, Mode};

const BINARY: &str = env!("CARGO_BIN_EXE_ch30-mpi-basics");

#[test]
fn one_job_across_three_namespace_hosts() {
    if Mode::best() != Mode::Namespaces {
        let mut stderr = std::io::stderr();
        writeln!(
            stderr,
            "NOT EXERCISED: MPI across hosts (needs root for namespaces)"
        )
        .ok();
        return;
    }
    let lab = Lab::start(3, Mode::Namespaces).expect("the hosts start");
    let agent = lab.ssh_command_line();
    let first = &lab.hosts()[0].address;
    let subnet = first.rsplit_once('.').expect("an IPv4 address").0;
    let network = format!("{subnet}.0/24");
    let hostfile = std::env::temp_dir()
        .join(format!("ch30-mpi-hostfile-{}", std::process::id()));
    let lines: Vec<String> = lab
        .hosts()
        .iter()
        .map(|host| format!("{} slots=1\n", host.address))
        .collect();
    std::fs::write(&hostfile, lines.concat()).expect("a scratch file");

    // Any program can be launched: `hostname` shows where the ranks ran.
    let ran = cli::run_command(mpirun_on_hosts(
        3,
        &hostfile,
        &agent,
        &network,
        "hostname",
        &[],
    ));
    assert!(ran.succeeded(), "{}", ran.stderr);
    let mut names: Vec<&str> = ran.stdout.lines().collect();
    names.sort();
    assert_eq!(names, ["host1", "host2", "host3"], "{}", ran.stderr);

    // And the MPI program, its collectives crossing the hosts.
    let args = ["--per-rank".to_string(), "4".to_string()];
    let ran = cli::run_command(mpirun_on_hosts(
        3, &hostfile, &agent, &network, BINARY, &args,
    ));
    std::fs::remove_file(&hostfile).ok();
    assert!(ran.succeeded(), "{}", ran.stderr);
    for expected in [
        "3 ranks started by mpirun",
        "the token came back as 3 = 0 + 1 + 2",
        "at rank 0: [10, 26, 42]",
        "at rank 0: 78 (1 + … + 12 = 78)",
    ] {
        assert!(ran.stdout.contains(expected), "{expected}: {}", ran.stdout);
    }
}
