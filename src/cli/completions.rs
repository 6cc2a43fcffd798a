//! `drydock completions SHELL` and `drydock man`: generated from the command
//! definitions, so they never fall behind the options.

use std::process::ExitCode;

use clap::{Args, CommandFactory, ValueEnum};

use super::{Cli, usage_error, write_stdout};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    shell: Shell,
}

pub(super) const EXAMPLES: &str = "\
Examples:
  drydock completions bash > ~/.local/share/bash-completion/completions/drydock
  drydock completions zsh > \"${fpath[1]}/_drydock\"
  drydock completions fish > ~/.config/fish/completions/drydock.fish";

pub(super) fn completions(args: &CompletionsArgs) -> ExitCode {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Elvish => S::Elvish,
        Shell::Powershell => S::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "drydock", &mut buf);
    write_stdout(&buf);
    ExitCode::SUCCESS
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// A command, for its own page (drydock-check(1), ...) instead of drydock(1).
    command: Option<String>,
}

pub(super) const MAN_EXAMPLES: &str = "\
Examples:
  drydock man > /usr/local/share/man/man1/drydock.1
  drydock man check > /usr/local/share/man/man1/drydock-check.1
  drydock man check | man -l -";

/// A man page in roff: drydock(1), or drydock-COMMAND(1).
pub(super) fn man(args: &ManArgs) -> ExitCode {
    let cmd = Cli::command();
    let page = match &args.command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => {
                let full = format!("drydock-{name}");
                sub.clone()
                    .name(full.clone())
                    .bin_name(full)
                    .version(env!("CARGO_PKG_VERSION"))
            }
            None => {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                return usage_error(&format!(
                    "no command `{name}`; the commands are {}",
                    names.join(", ")
                ));
            }
        },
    };
    let mut buf = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut buf) {
        return usage_error(&format!("cannot render the man page: {e}"));
    }
    write_stdout(&buf);
    ExitCode::SUCCESS
}
