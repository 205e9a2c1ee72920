//! `registry keygen`, `registry sign`, `registry verify`: publisher keys and
//! detached package signatures (the formats are in `revitpy-sign`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use revitpy_check::{CheckOptions, check_file};
use revitpy_sign::{SignError, Statement};
use serde_json::json;

use super::publish::fail;
use crate::ExitStatus;
use crate::cli::{KeygenArgs, SignArgs, VerifyArgs};
use crate::escape;
use crate::printer::Printer;

/// Where `keygen` writes and `sign` reads by default: the user config folder.
pub fn default_key_path() -> PathBuf {
    crate::defaults::default_config_path().with_file_name("keys").join("publisher_ed25519")
}

/// The passphrase: `REVITPY_KEY_PASSPHRASE`, else asked on the terminal
/// (never echoed) when there is one; `None` when neither.
fn passphrase(prompt: &str) -> Result<Option<String>, String> {
    if let Ok(p) = std::env::var("REVITPY_KEY_PASSPHRASE") {
        return Ok(Some(p));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(prompt).map(Some).map_err(|e| format!("cannot read the passphrase: {e}"))
}

/// Reads a private key, asking for its passphrase when it has one.
fn open_private_key(path: &Path) -> Result<revitpy_sign::PrivateKey, String> {
    let encrypted = revitpy_sign::is_encrypted(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let passphrase = if encrypted { passphrase(&format!("Passphrase for {}: ", path.display()))? } else { None };
    revitpy_sign::read_private_key(path, passphrase.as_deref()).map_err(|e| format!("{}: {e}", path.display()))
}

fn public_path(private: &Path) -> PathBuf {
    let mut name = private.file_name().unwrap_or_default().to_owned();
    name.push(".pub");
    private.with_file_name(name)
}

pub fn keygen(args: KeygenArgs, printer: &Printer) -> ExitStatus {
    let private = args.output.unwrap_or_else(default_key_path);
    let public = public_path(&private);
    for path in [&private, &public] {
        if path.exists() {
            return fail(
                printer,
                format!("{} already exists; a key is never overwritten (choose another --output)", path.display()),
            );
        }
    }
    let passphrase = if args.passphrase {
        match passphrase("Passphrase for the new key: ") {
            Ok(Some(p)) if !p.is_empty() => {
                if std::env::var_os("REVITPY_KEY_PASSPHRASE").is_none() {
                    match passphrase("The same passphrase again: ") {
                        Ok(Some(again)) if again == p => {}
                        _ => return fail(printer, "the two passphrases differ; nothing was written"),
                    }
                }
                Some(p)
            }
            Ok(_) => return fail(printer, "--passphrase needs REVITPY_KEY_PASSPHRASE or a terminal to ask on"),
            Err(e) => return fail(printer, e),
        }
    } else {
        None
    };
    let comment = args.comment.unwrap_or_else(|| "revitpy publisher key".to_owned());
    let key = match revitpy_sign::generate(&comment) {
        Ok(k) => k,
        Err(e) => return fail(printer, e.to_string()),
    };
    let text = match revitpy_sign::private_key_text(&key, passphrase.as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(printer, e.to_string()),
    };
    let public_text = match key.public_key().to_openssh() {
        Ok(t) => t,
        Err(e) => return fail(printer, e.to_string()),
    };
    if let Err(e) = crate::os::write_private_new(&private, text.as_bytes()) {
        return fail(printer, format!("{}: {e}", private.display()));
    }
    if let Err(e) = std::fs::write(&public, format!("{public_text}\n")) {
        let _ = std::fs::remove_file(&private);
        return fail(printer, format!("{}: {e}", public.display()));
    }
    let id = revitpy_sign::key_id(key.public_key());
    if printer.json_mode() {
        printer.json(&json!({
            "private_key": private, "public_key": public, "key_id": id, "encrypted": passphrase.is_some(),
        }));
    } else {
        printer.line(format!(
            "Wrote {} (private, owner-only{}) and {}.",
            private.display(),
            if passphrase.is_some() { ", passphrase-protected" } else { "" },
            public.display()
        ));
        printer.line(format!(
            "Key id: {id}. Register the .pub file with your registry account to publish signed packages."
        ));
    }
    ExitStatus::Success
}

/// The statement a package file signs, from the file itself.
fn statement(file: &Path) -> Result<Statement, String> {
    let checked =
        check_file(file, &CheckOptions::default()).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if !checked.valid() {
        let errors: Vec<String> = checked.problems.iter().filter(|p| p.is_error()).map(ToString::to_string).collect();
        return Err(format!("{} is not a valid package: {}", file.display(), errors.join("; ")));
    }
    let manifest = checked.manifest.ok_or_else(|| format!("{} has no manifest", file.display()))?;
    Ok(Statement {
        name: manifest.name.normalized().to_owned(),
        version: manifest.version.to_string(),
        sha256: checked.file_sha256,
    })
}

fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_owned();
    name.push(".sig");
    file.with_file_name(name)
}

pub fn sign(args: SignArgs, printer: &Printer) -> ExitStatus {
    let key_path = args.key.unwrap_or_else(default_key_path);
    let statement = match statement(&args.file) {
        Ok(s) => s,
        Err(e) => return fail(printer, e),
    };
    let key = match open_private_key(&key_path) {
        Ok(k) => k,
        Err(e) => return fail(printer, e),
    };
    let signature = match revitpy_sign::sign(&key, &statement) {
        Ok(s) => s,
        Err(e) => return fail(printer, e.to_string()),
    };
    let out = args.output.unwrap_or_else(|| signature_path(&args.file));
    if let Err(e) = std::fs::write(&out, &signature) {
        return fail(printer, format!("{}: {e}", out.display()));
    }
    let id = revitpy_sign::key_id(key.public_key());
    if printer.json_mode() {
        printer.json(&json!({"signature": out, "key_id": id, "package": statement.name, "version": statement.version, "sha256": statement.sha256}));
    } else {
        printer.line(format!(
            "Signed {} {} (sha256 {}) with {id}: {}",
            escape::line(&statement.name),
            escape::line(&statement.version),
            statement.sha256,
            out.display()
        ));
    }
    ExitStatus::Success
}

pub fn verify(args: VerifyArgs, printer: &Printer) -> ExitStatus {
    let sig_path = args.signature.unwrap_or_else(|| signature_path(&args.file));
    let statement = match statement(&args.file) {
        Ok(s) => s,
        Err(e) => return fail(printer, e),
    };
    let signature = match std::fs::metadata(&sig_path) {
        Ok(m) if m.len() > revitpy_sign::MAX_FILE_BYTES => {
            return fail(
                printer,
                format!("{}: {}", sig_path.display(), SignError::TooLarge(sig_path.display().to_string())),
            );
        }
        Ok(_) => match std::fs::read_to_string(&sig_path) {
            Ok(s) => s,
            Err(e) => return fail(printer, format!("{}: {e}", sig_path.display())),
        },
        Err(e) => return fail(printer, format!("no signature at {}: {e}", sig_path.display())),
    };
    let expected = match args.key.as_deref().map(revitpy_sign::read_public_key).transpose() {
        Ok(k) => k,
        Err(e) => return fail(printer, e.to_string()),
    };
    match revitpy_sign::verify(&signature, &statement, expected.as_ref()) {
        Ok(v) => {
            if printer.json_mode() {
                printer.json(&json!({"valid": true, "key_id": v.key_id, "key_checked": expected.is_some(), "package": statement.name, "version": statement.version, "sha256": statement.sha256}));
            } else if expected.is_some() {
                printer.line(format!(
                    "Good signature of {} {} by {}.",
                    escape::line(&statement.name),
                    escape::line(&statement.version),
                    v.key_id
                ));
            } else {
                printer.line(format!(
                    "Valid signature of {} {} by {}.",
                    escape::line(&statement.name),
                    escape::line(&statement.version),
                    v.key_id
                ));
                printer.warning("no --key given: this proves the file is what that key signed, not who holds the key");
            }
            ExitStatus::Success
        }
        Err(e) => {
            if printer.json_mode() {
                printer.json(&json!({"valid": false, "error": e.to_string()}));
            }
            fail(printer, format!("bad signature for {}: {e}", args.file.display()))
        }
    }
}

/// `registry keys add|list|revoke`: keys on the registry in use.
pub fn registered(args: crate::cli::KeysArgs, settings: &crate::settings::Settings, printer: &Printer) -> ExitStatus {
    use crate::cli::KeysCommand;
    let show = |k: &revitpy_api::KeyInfo| {
        format!(
            "{:>4}  {:<16} {}  {}{}",
            k.id,
            escape::line(&k.user),
            escape::line(&k.key_id),
            escape::line(&k.created_at),
            if k.revoked_at.is_some() { "  revoked" } else { "" }
        )
    };
    let with_token = || -> Result<revitpy_client::RegistryClient, String> {
        let token = settings.token.as_ref().ok_or_else(|| super::publish::no_token_message(settings))?;
        super::publish::client_with_token(settings, &token.value, printer)
    };
    let answer = match args.command {
        KeysCommand::Add { key, user } => {
            let path = key.unwrap_or_else(default_key_path);
            let key = match open_private_key(&path) {
                Ok(k) => k,
                Err(e) => return fail(printer, e),
            };
            let client = match with_token() {
                Ok(c) => c,
                Err(e) => return fail(printer, e),
            };
            let user = match user {
                Some(u) => u,
                None => match crate::block_on(client.tokens()) {
                    Ok(tokens) => {
                        let mut users: Vec<String> = tokens.into_iter().map(|t| t.user).collect();
                        users.sort();
                        users.dedup();
                        match users.as_slice() {
                            [one] => one.clone(),
                            _ => return fail(printer, "cannot tell your account from your token: give --user NAME"),
                        }
                    }
                    Err(e) => return fail(printer, e.to_string()),
                },
            };
            let (line, proof) = match (key.public_key().to_openssh(), revitpy_sign::sign_registration(&key, &user)) {
                (Ok(l), Ok(p)) => (l, p),
                (Err(e), _) => return fail(printer, e.to_string()),
                (_, Err(e)) => return fail(printer, e.to_string()),
            };
            crate::block_on(client.add_key(&line, &proof, &user)).map(|k| vec![k])
        }
        KeysCommand::List { user } => match revitpy_client::RegistryClient::new(&settings.registry_url) {
            Ok(client) => crate::block_on(client.keys(user.as_deref())),
            Err(e) => return fail(printer, e.to_string()),
        },
        KeysCommand::Revoke { id } => match with_token() {
            Ok(client) => crate::block_on(client.revoke_key(id)).map(|k| vec![k]),
            Err(e) => return fail(printer, e),
        },
    };
    match answer {
        Ok(keys) => {
            if printer.json_mode() {
                printer.json(&serde_json::to_value(&keys).unwrap_or_default());
            } else {
                for k in &keys {
                    printer.line(show(k));
                }
            }
            ExitStatus::Success
        }
        Err(e) => fail(printer, e.to_string()),
    }
}
