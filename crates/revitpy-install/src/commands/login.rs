//! `registry login`: check a token with the registry and store it for that
//! registry only.

use std::io::{IsTerminal, Read};

use revitpy_client::TokenTransport;

use super::publish::{client_with_token, fail};
use crate::ExitStatus;
use crate::cli::LoginArgs;
use crate::credentials::UserConfig;
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(args: LoginArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let token = match args.with_token {
        Some(t) => t,
        None => {
            if std::io::stdin().is_terminal() {
                return fail(
                    printer,
                    "pass the token with --with-token TOKEN, or pipe it: `echo $TOKEN | revitpy-install registry login`",
                );
            }
            let mut s = String::new();
            if let Err(e) = std::io::stdin().take(4096).read_to_string(&mut s) {
                return fail(printer, format!("cannot read the token from standard input: {e}"));
            }
            s
        }
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return fail(printer, "the token is empty");
    }
    if !args.no_verify {
        let client = match client_with_token(settings, &token, printer) {
            Ok(c) => c,
            Err(e) => return fail(printer, format!("{e}; the token was not stored")),
        };
        if let Err(e) = crate::block_on(client.check_token()) {
            return fail(printer, format!("{e}; the token was not stored (use --no-verify to store it anyway)"));
        }
    } else if settings.registry.token_transport() == TokenTransport::Clear {
        printer.warning(format!(
            "{} is plain http to another machine: publishing with this token will need --allow-insecure-token",
            settings.registry_url
        ));
    }
    let mut config = match UserConfig::read(&settings.config_path) {
        Ok(c) => c,
        Err(e) => return fail(printer, e),
    };
    config.set_token(&settings.registry, token);
    // As before: the registry logged in to becomes the default one.
    config.registry_url = Some(settings.registry_url.clone());
    if let Err(e) = config.write(&settings.config_path) {
        return fail(printer, e);
    }
    printer.line(format!(
        "Token stored in {} for {} (sent only to that registry).",
        settings.config_path.display(),
        settings.registry_url
    ));
    ExitStatus::Success
}
