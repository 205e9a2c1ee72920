//! `registry publish`: validate locally, then upload with the token for the
//! registry in use. The token helpers here are shared with `login`.

use super::human_bytes;
use crate::ExitStatus;
use crate::cli::PublishArgs;
use crate::credentials::UserConfig;
use crate::escape;
use crate::printer::Printer;
use crate::settings::{Settings, TokenOrigin};
use revitpy_check::{CheckOptions, check_file};
use revitpy_client::{ClientError, RegistryClient, TokenTransport};

pub(super) fn fail(printer: &Printer, e: impl AsRef<str>) -> ExitStatus {
    printer.error(e);
    ExitStatus::Failure
}

/// A client that sends `token` to the registry in use. Over plain http to
/// another machine the token would travel in clear text: refused, before
/// any connection, unless `--allow-insecure-token` (then with a warning).
pub(super) fn client_with_token(settings: &Settings, token: &str, printer: &Printer) -> Result<RegistryClient, String> {
    let client = RegistryClient::new(&settings.registry_url).map_err(|e| e.to_string())?;
    let client = client.with_token(token.to_owned(), settings.allow_insecure_token).map_err(|e| match e {
        ClientError::InsecureToken { .. } => {
            format!("{e}, or pass --allow-insecure-token to send it anyway if you trust every network in between")
        }
        e => e.to_string(),
    })?;
    if settings.registry.token_transport() == TokenTransport::Clear {
        printer.warning(format!(
            "sending the token to {} over plain http (--allow-insecure-token): anyone on the network in between can read it",
            settings.registry_url
        ));
    }
    Ok(client)
}

/// "No token for this registry", naming the registries that have one: a
/// token stored for another registry is never sent here.
pub(super) fn no_token_message(settings: &Settings) -> String {
    let stored = UserConfig::read(&settings.config_path).map(|c| c.registries_with_tokens()).unwrap_or_default();
    let elsewhere = if stored.is_empty() {
        String::new()
    } else {
        format!(" (tokens are stored for {}, and are sent only there)", stored.join(", "))
    };
    format!(
        "no token for {}{elsewhere}: run `revitpy-install registry login` with this registry, or give one with --token / REVITPY_TOKEN",
        settings.registry_url
    )
}

pub fn publish(args: PublishArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let Some(token) = &settings.token else {
        return fail(printer, no_token_message(settings));
    };
    // Before anything else, so a refusal comes before any work or connection.
    let client = match client_with_token(settings, &token.value, printer) {
        Ok(c) => c,
        Err(e) => return fail(printer, e),
    };
    // Check locally first: a broken package never leaves the machine.
    let checked = match check_file(&args.file, &CheckOptions::default()) {
        Ok(i) => i,
        Err(e) => return fail(printer, format!("cannot read {}: {e}", args.file.display())),
    };
    if !checked.valid() {
        for p in checked.problems.iter().filter(|p| p.is_error()) {
            printer.error(p.to_string());
        }
        return fail(printer, format!("{} is not valid; fix it and build again", args.file.display()));
    }
    let bytes = match fs_err::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(printer, e.to_string()),
    };
    let name = args.file.file_name().and_then(|n| n.to_str()).unwrap_or("package.rpyx").to_owned();
    // FILE.rpyx.sig (from `registry sign`) goes with it when it exists.
    let mut sig_name = args.file.file_name().unwrap_or_default().to_owned();
    sig_name.push(".sig");
    let sig_path = args.file.with_file_name(sig_name);
    let signature = match std::fs::metadata(&sig_path) {
        Err(_) => None,
        Ok(m) if m.len() > revitpy_sign::MAX_FILE_BYTES => {
            return fail(printer, format!("{} is too large to be a signature", sig_path.display()));
        }
        Ok(_) => match fs_err::read_to_string(&sig_path) {
            Ok(s) => Some(s),
            Err(e) => return fail(printer, e.to_string()),
        },
    };
    let signed = signature.is_some();
    match crate::block_on(client.upload(bytes, &name, signature)) {
        Ok(r) => {
            if printer.json_mode() {
                printer.json(&serde_json::to_value(&r).unwrap_or_default());
            } else {
                printer.line(format!(
                    "Published {} {}{} to {} ({}, sha256 {}{}).",
                    escape::line(&r.package_name),
                    escape::line(&r.version),
                    if signed { " (signed)" } else { "" },
                    settings.registry_url,
                    human_bytes(r.file_size),
                    escape::line(&r.file_hash),
                    if r.security_scan_status.is_empty() {
                        String::new()
                    } else {
                        format!(", security scan {}", escape::line(&r.security_scan_status))
                    }
                ));
            }
            ExitStatus::Success
        }
        Err(e) if e.status() == Some(401) => {
            let what = match token.origin {
                TokenOrigin::Given => "the token given with --token / REVITPY_TOKEN was refused",
                TokenOrigin::Stored => "the token stored for this registry was refused",
            };
            fail(printer, format!("{e}; {what}: run `revitpy-install registry login` with a valid token"))
        }
        Err(e) => fail(printer, e.to_string()),
    }
}
