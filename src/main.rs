//! The `iovaudit` command line: parses arguments, calls the core library,
//! prints the result. No logic of its own lives here (see `src/cli/`).

mod cli;

fn main() {
    // A command whose output is piped into `head` ends quietly when the
    // reader goes away, as command-line tools do, instead of panicking on
    // the broken pipe.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // restoring the default disposition of SIGPIPE has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(cli::run());
}
