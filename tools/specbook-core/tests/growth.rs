//! Growth on pathological input: the time for 4N stays within a generous linear ratio of the
//! time for N (a ratio measured in the same run, never an absolute time).

use specbook_core::pipeline::{Env, check};
use std::time::{Duration, Instant};

fn time_check(chapter: &str) -> Duration {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("specbook.toml"),
        "title = \"G\"\nversion = \"1\"\n[limits]\nmax_file_bytes = 67108864\n",
    )
    .expect("config");
    std::fs::write(tmp.path().join("01.md"), chapter).expect("chapter");
    (0..5)
        .map(|_| {
            let start = Instant::now();
            let c = check(tmp.path(), &Env::default()).expect("loads");
            std::hint::black_box(c.catalogue.requirements.len());
            start.elapsed()
        })
        .min()
        .expect("five runs")
}

fn assert_linear(name: &str, make: impl Fn(usize) -> String, n: usize) {
    let small = time_check(&make(n));
    let large = time_check(&make(4 * n));
    // Linear growth gives 4×; allow 12× for noise and cache effects. Quadratic growth gives 16×.
    // N is chosen so that the small run takes tens of milliseconds: below that, cache warm-up
    // dominates and ratios mean nothing.
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-4);
    eprintln!("{name}: N={n} {small:?}, 4N {large:?}, ratio {ratio:.1}");
    assert!(
        ratio < 12.0,
        "{name} grows superlinearly: {small:?} at N={n}, {large:?} at 4N (×{ratio:.1})"
    );
}

/// One test, so that the cases run one after another and do not disturb each other's timing.
#[test]
fn pathological_input_grows_linearly() {
    assert_linear(
        "open brackets",
        |n| format!("# B\n\n{}x\n", "[".repeat(n)),
        100_000,
    );
    assert_linear(
        "bracket-paren pairs",
        |n| format!("# B\n\n{}\n", "[ (](".repeat(n)),
        40_000,
    );
    assert_linear(
        "emphasis runs",
        |n| format!("# E\n\n{}\n", "*a _b ".repeat(n)),
        40_000,
    );
    assert_linear(
        "link reference definitions",
        |n| {
            let defs: String = (0..n)
                .map(|i| format!("[r{i}]: https://example.org/{i}\n"))
                .collect();
            let uses: String = (0..n).map(|i| format!("[r{i}] ")).collect();
            format!("# L\n\n{defs}\n{uses}\n")
        },
        8_000,
    );
    assert_linear(
        "nested lists",
        |n| {
            format!(
                "# L\n\n{}",
                (0..n)
                    .map(|i| format!("{}- item\n", "  ".repeat(i % 30)))
                    .collect::<String>()
            )
        },
        6_000,
    );
    assert_linear(
        "unknown references",
        |n| {
            (0..n)
                .map(|i| {
                    format!(
                        "### R{i} {{#X-{i}}}\n\nIt MUST see [Y-{i}] and [X-{}].\n\n",
                        i + 1
                    )
                })
                .collect::<String>()
        },
        1_500,
    );
    assert_linear(
        "duplicate IDs",
        |n| {
            (0..n)
                .map(|i| format!("### R{i} {{#X-{}}}\n\nIt MUST work.\n\n", i % 10))
                .collect::<String>()
        },
        3_000,
    );
    assert_linear(
        "unidentified statements",
        |n| {
            format!(
                "# Legacy\n\n{}",
                "A project MUST do this. It SHOULD do that.\n\n".repeat(n)
            )
        },
        6_000,
    );
}
