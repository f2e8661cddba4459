//! The `iovaudit` command line: parses arguments, calls the core library,
//! prints the result. No logic of its own lives here (see `src/cli/`).

mod cli;

fn main() {
    std::process::exit(cli::run());
}
