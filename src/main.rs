//! The `loggia` binary: parse the command line and hand over.

fn main() -> std::process::ExitCode {
    loggia::cli::main()
}
