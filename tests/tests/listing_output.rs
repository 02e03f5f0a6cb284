//! The output the book shows is the output the listings print.
//!
//! For every listing with an `output.txt`, this runs the listing with its declared
//! `output-args` and compares with the file after masking durations and speedups. A
//! listing whose output varies more than that (`output-invariants`) is not run here: the
//! test it names runs the book's run and checks what must hold.
//! With `BLESS=1` (what `cargo xtask bless` sets) it rewrites the files instead.

use book_tests::figures::figures;
use book_tests::listings::{Listing, listings};
use book_tests::shown;

fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|value| value == "1")
}

/// When blessing, the listings to bless (`BLESS_ONLY=a,b`, set by `cargo xtask bless a b`);
/// every listing otherwise. A name that is not a listing is an error, not a silent no-op.
fn selected(listings: Vec<Listing>) -> Vec<Listing> {
    let Some(only) = std::env::var("BLESS_ONLY").ok().filter(|_| blessing()) else {
        return listings;
    };
    let names: Vec<&str> = only.split(',').filter(|name| !name.is_empty()).collect();
    for name in &names {
        assert!(
            listings.iter().any(|listing| listing.name == *name),
            "`{name}` is not a listing (a package under listings/)"
        );
    }
    listings
        .into_iter()
        .filter(|listing| names.contains(&listing.name.as_str()))
        .collect()
}

#[test]
fn every_output_txt_matches_a_fresh_run() {
    let mut problems = Vec::new();
    let mut compared = 0;
    for listing in selected(listings()) {
        let file = listing.output_file();
        let declared = !listing.output_args.is_empty()
            || listing.output_invariants.is_some()
            || !listing.output_files.is_empty();
        if !file.exists() {
            if declared {
                problems.push(format!(
                    "{} declares its output in Cargo.toml but has no output.txt: run `cargo xtask bless`",
                    listing.name
                ));
            }
            continue;
        }
        if let Err(problem) = check_one(&listing) {
            problems.push(problem);
        }
        compared += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    println!("checked {compared} output.txt files");
}

/// What a chapter says of a listing's run holds of the run the chapter shows.
#[test]
fn every_claim_holds_of_the_shown_output() {
    if blessing() {
        // Blessing checks each claim on the new run before writing it; the
        // files this would read are being rewritten beside it.
        return;
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for listing in listings() {
        if listing.claims.is_empty() {
            continue;
        }
        let file = listing.output_file();
        let Ok(shown_text) = std::fs::read_to_string(&file) else {
            problems.push(format!("{}: claims but no {}", listing.name, shown(&file)));
            continue;
        };
        for claim in &listing.claims {
            match claim.check(&shown_text) {
                Ok(figure) => println!("{}: {figure} ({})", listing.name, claim.claim),
                Err(problem) => problems.push(format!("{}: {problem}", shown(&file))),
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    println!("{checked} claims hold of the shown outputs");
}

/// A shown output that prints a duration or a rate names the machine and its load
/// (`book_helpers::measure::Machine`), so a reader can tell a quiet run from a busy
/// one, unless its manifest says why none of them is a measurement (`untimed`).
#[test]
fn every_timed_output_names_its_machine() {
    if blessing() {
        return;
    }
    let mut problems = Vec::new();
    for listing in listings() {
        let Ok(text) = std::fs::read_to_string(listing.output_file()) else {
            continue;
        };
        let timed = figures(&text)
            .iter()
            .any(|figure| !matches!(figure.unit.as_str(), "×" | "%"));
        let headers = text
            .lines()
            .filter(|line| line.starts_with("machine: "))
            .count();
        match (&listing.untimed, timed, headers) {
            (None, true, 0) => problems.push(format!(
                "{}: prints durations or rates but no `machine:` line; print \
                 `Machine::header`, or say why nothing is measured with `untimed` in its \
                 Cargo.toml",
                listing.name
            )),
            (None, _, 0 | 1) => {}
            (None, _, _) => {
                problems.push(format!("{}: more than one `machine:` line", listing.name))
            }
            (Some(_), _, 1..) => problems.push(format!(
                "{}: says it is `untimed` but prints a `machine:` line",
                listing.name
            )),
            (Some(_), false, _) => problems.push(format!(
                "{}: says it is `untimed` but prints no duration or rate; remove the key",
                listing.name
            )),
            (Some(_), true, 0) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn declared_output_files_are_present() {
    let missing: Vec<String> = listings()
        .iter()
        .flat_map(|listing| {
            listing
                .output_files
                .iter()
                .map(move |file| listing.dir.join(file))
        })
        .filter(|path| !path.is_file())
        .map(|path| shown(&path))
        .collect();
    assert!(
        missing.is_empty(),
        "run `cargo xtask bless` to create: {missing:?}"
    );
}

fn check_one(listing: &Listing) -> Result<(), String> {
    let file = listing.output_file();
    if !blessing() && listing.output_invariants.is_some() {
        // The output varies from run to run; the named test runs the book's run
        // and checks what must hold, so a second run here would add nothing.
        return check_invariants_declared(listing);
    }
    let output_dir = if blessing() {
        listing.dir.clone()
    } else {
        let scratch = std::env::temp_dir().join(format!(
            "book-output-{}-{}",
            listing.name,
            std::process::id()
        ));
        std::fs::create_dir_all(&scratch)
            .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
        scratch
    };
    let stdout = listing.run(&listing.output_args, &output_dir);
    if !blessing() {
        std::fs::remove_dir_all(&output_dir).ok();
    }
    let stdout = stdout?;
    let fresh = listing.output_document(&stdout);
    if blessing() {
        // A run that no longer bears out what the chapter says of it is not shown.
        let broken: Vec<String> = listing
            .claims
            .iter()
            .filter_map(|claim| claim.check(&fresh).err())
            .collect();
        if !broken.is_empty() {
            return Err(format!(
                "{}: not blessed, because {}\n--- the run\n{fresh}",
                listing.name,
                broken.join("; and ")
            ));
        }
        std::fs::write(&file, &fresh).map_err(|e| format!("cannot write {}: {e}", shown(&file)))?;
        println!("blessed {}", shown(&file));
        return Ok(());
    }
    let shown_text = shown_output(listing)?;
    if listing.normalise(&fresh) != listing.normalise(&shown_text) {
        return Err(format!(
            "{} differs from a fresh run (durations and speedups masked); \
             if the change is intended run `cargo xtask bless`\n--- book shows\n{}\n--- fresh run\n{}",
            shown(&file),
            listing.normalise(&shown_text),
            listing.normalise(&fresh)
        ));
    }
    Ok(())
}

/// The committed output of `listing`, after checking that it starts with the
/// command that produces it.
fn shown_output(listing: &Listing) -> Result<String, String> {
    let file = listing.output_file();
    let shown_text =
        std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", shown(&file)))?;
    let header = shown_text.lines().next().unwrap_or_default();
    if header != listing.command_line() {
        return Err(format!(
            "{}: first line is `{header}`, expected `{}`; run `cargo xtask bless`",
            shown(&file),
            listing.command_line()
        ));
    }
    Ok(shown_text)
}

/// A listing whose output varies shows a run of the declared command and names a
/// test file that exists.
fn check_invariants_declared(listing: &Listing) -> Result<(), String> {
    shown_output(listing)?;
    let invariants = listing.output_invariants.as_deref().unwrap_or_default();
    if listing.dir.join(invariants).is_file() {
        Ok(())
    } else {
        Err(format!(
            "{}: output-invariants names {invariants}, which does not exist",
            listing.name
        ))
    }
}
