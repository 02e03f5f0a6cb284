//! The program as a reader runs it: the demo, the server alone, help, and
//! arguments it must refuse.

use book_helpers::cli::{self, assert_help_mentions, assert_refused};

// `cli::run` and the assertions bound every run in time themselves.
const BINARY: &str = env!("CARGO_BIN_EXE_ch12-http-and-websocket");

#[test]
fn help_explains_the_program_and_exits_zero() {
    assert_help_mentions(
        BINARY,
        &["--watchers", "--backlog", "--serve-for", "WebSocket"],
    );
}

#[test]
fn the_demo_fans_every_event_out_and_closes_every_watcher() {
    for watchers in [2_usize, 5, 12] {
        let ran = cli::run(BINARY, &["--watchers", &watchers.to_string()]);
        assert!(ran.succeeded(), "{}", ran.stderr);
        let stdout = &ran.stdout;
        let total = 1 + watchers;
        let heading = format!(
            "every watcher received the same {total} events, once each"
        );
        assert!(stdout.contains(&heading), "{stdout}");
        assert_eq!(ran.rows_starting_with("  #").len(), total, "{stdout}");
        assert_eq!(
            ran.rows_starting_with("watcher ")
                .iter()
                .filter(|row| row.ends_with("told: 1001 server shutting down"))
                .count(),
            watchers - 1,
            "{stdout}"
        );
        let stopped = format!(
            "server stopped: {} events published, {watchers} watchers served",
            total + 1
        );
        assert!(stdout.contains(&stopped), "{stdout}");
        assert!(
            stdout.contains(&format!(
                "job {} announced to {} watchers",
                total + 1,
                watchers - 1
            )),
            "{stdout}"
        );
        // The server's log: every watcher joined, the vanished one was lost,
        // the rest closed.
        assert!(
            ran.stderr.contains("listening on http://127.0.0.1:"),
            "{}",
            ran.stderr
        );
        assert_eq!(
            ran.stderr.matches(" joined").count(),
            watchers,
            "{}",
            ran.stderr
        );
        assert!(ran.stderr.contains("watcher 2 lost: "), "{}", ran.stderr);
        assert_eq!(
            ran.stderr
                .matches("closed by the server: server shutting down")
                .count(),
            watchers - 1
        );
    }
}

#[test]
fn the_server_alone_prints_its_address_and_stops_on_time() {
    let ran = cli::run(BINARY, &["--serve-for", "1"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert!(
        lines[0].starts_with("listening on http://127.0.0.1:"),
        "{}",
        ran.stdout
    );
    assert_eq!(lines[1], "stopped: 0 events published, 0 watchers served");
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    assert_refused(
        BINARY,
        &[
            &["--watchers", "1"],
            &["--watchers", "21"],
            &["--backlog", "0"],
            &["--serve-for", "0"],
            &["--serve-for", "forever"],
            &["--port", "80"],
        ],
    );
}
