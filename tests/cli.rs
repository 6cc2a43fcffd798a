//! Command-line cases, one file each in `tests/cmd/`: arguments, expected
//! output and exit status. Regenerate expectations with `TRYCMD=overwrite`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
