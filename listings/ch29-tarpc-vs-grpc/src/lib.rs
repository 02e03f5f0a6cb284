//! tarpc next to tonic: the service as a trait (`service`), and the numbers
//! that compare the two — lines of code read from the real files, and a load
//! run of each.

pub mod service;

/// One source file of either version, read at compile time from the file
/// itself.
pub struct SourceFile {
    pub framework: &'static str,
    pub path: &'static str,
    pub text: &'static str,
}

// ANCHOR: sources
/// What each version needs for the contract, the server and the client.
pub const SOURCES: [SourceFile; 5] = [
    SourceFile {
        framework: "gRPC",
        path: "ch28-grpc-tonic/proto/numbers.proto",
        text: include_str!("../../ch28-grpc-tonic/proto/numbers.proto"),
    },
    SourceFile {
        framework: "gRPC",
        path: "ch28-grpc-tonic/build.rs",
        text: include_str!("../../ch28-grpc-tonic/build.rs"),
    },
    SourceFile {
        framework: "gRPC",
        path: "ch28-grpc-tonic/src/server.rs",
        text: include_str!("../../ch28-grpc-tonic/src/server.rs"),
    },
    SourceFile {
        framework: "gRPC",
        path: "ch28-grpc-tonic/src/client.rs",
        text: include_str!("../../ch28-grpc-tonic/src/client.rs"),
    },
    SourceFile {
        framework: "tarpc",
        path: "ch29-tarpc-vs-grpc/src/service.rs",
        text: include_str!("service.rs"),
    },
];
// ANCHOR_END: sources

/// Lines that are code: not blank, not a comment, not an anchor the book uses,
/// and not unit tests (the gRPC server file carries a few).
pub fn code_lines(text: &str) -> usize {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or(text);
    before_tests
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_lines_and_tests_do_not_count() {
        let text = "//! doc\n\nfn a() {}\n  // why\n    let x = 1;\n// ANCHOR: end\n#[cfg(test)]\nmod tests {}\n";
        assert_eq!(code_lines(text), 2);
    }

    #[test]
    fn every_source_is_a_real_nonempty_file() {
        for source in &SOURCES {
            assert!(code_lines(source.text) > 0, "{}", source.path);
        }
    }
}
