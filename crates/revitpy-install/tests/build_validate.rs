//! `registry build` and `registry validate`, driven as a user drives them:
//! the binary as a subprocess, packages built from the repository's examples/.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
}

fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn build_example(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(format!("{name}.rpyx"));
    let src = examples().join(name);
    let o = cli(dir, &["registry", "build", src.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    out
}

#[test]
fn build_then_validate_every_example() {
    let dir = tempfile::tempdir().unwrap();
    for name in
        ["wall-tools", "revitpy-utils", "room-exporter", "sheet-publisher", "parameter-sync", "family-template-kit"]
    {
        let file = build_example(dir.path(), name);
        let o = cli(dir.path(), &["registry", "validate", file.to_str().unwrap(), "--json"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["valid"], true, "{name}");
        assert_eq!(v["manifest"]["name"], name);
        assert_eq!(v["problems"], serde_json::json!([]), "{name}");
        assert_eq!(v["file_hash"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn default_output_is_named_after_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let src = examples().join("sheet-publisher");
    let o = cli(dir.path(), &["registry", "build", src.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(dir.path().join("sheet-publisher-2.0.0b1.rpyx").is_file());
    assert!(text(&o.stdout).contains("Built sheet-publisher 2.0.0b1"), "{}", text(&o.stdout));
}

#[test]
fn revit_year_verdicts_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let file = build_example(dir.path(), "sheet-publisher");
    let f = file.to_str().unwrap();

    let o = cli(dir.path(), &["registry", "validate", f, "--revit-version", "2022", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["revit_verdict"]["verdict"], "compatible");
    assert_eq!(v["revit_verdict"]["known_issues"][0], "PDF export ignores custom paper sizes");

    let o = cli(dir.path(), &["registry", "validate", f, "--revit-version", "2023", "--json"]);
    assert_eq!(o.status.code(), Some(0), "untested is not a failure");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["revit_verdict"]["verdict"], "untested");

    let o = cli(dir.path(), &["registry", "validate", f, "--revit-version", "2025"]);
    assert_eq!(o.status.code(), Some(1), "incompatible year exits 1");
    assert!(
        text(&o.stdout).contains("incompatible (Revit 2025 is newer than the package's maximum, 2024)"),
        "{}",
        text(&o.stdout)
    );
    assert!(text(&o.stderr).contains("does not support Revit 2025"));

    let o = cli(dir.path(), &["registry", "validate", f, "--revit-version", "twenty"]);
    assert_eq!(o.status.code(), Some(2), "a bad year is a usage error");
    assert!(text(&o.stderr).contains("is not a Revit version"), "{}", text(&o.stderr));
}

#[test]
fn security_scan_reports_and_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let file = build_example(dir.path(), "parameter-sync");
    let o = cli(dir.path(), &["registry", "validate", file.to_str().unwrap(), "--security-scan", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert!(["low", "medium"].contains(&v["risk_level"].as_str().unwrap()), "{v}");
    assert_eq!(v["compatibility"][0]["member"], "ElementId.IntegerValue");
    assert_eq!(v["compatibility"][0]["level"], "warning");
    assert_eq!(v["compatibility"].as_array().unwrap().len(), 1);
    for key in ["findings", "capabilities", "impact"] {
        assert!(v.get(key).is_some(), "{key}");
    }

    // A package hiding decoded code is blocked: exit 1, risk critical.
    let src = dir.path().join("evil-src");
    std::fs::create_dir_all(src.join("evil")).unwrap();
    std::fs::write(
        src.join("manifest.json"),
        r#"{"name": "evil-tools", "version": "1.0.0", "description": "x", "author": "x", "revit_compatibility": {"min_version": "2024"}}"#,
    )
    .unwrap();
    std::fs::write(src.join("evil/__init__.py"), "import base64 as b\nexec(b.b64decode('cHJpbnQoMSk='))\n").unwrap();
    let out = dir.path().join("evil.rpyx");
    let o = cli(dir.path(), &["registry", "build", src.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = cli(dir.path(), &["registry", "validate", out.to_str().unwrap(), "--security-scan", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["risk_level"], "critical");
    assert_eq!(v["findings"][0]["rule"], "exec-decoded");
    assert_eq!(v["findings"][0]["line"], 2);
}

#[test]
fn missing_and_broken_files_fail_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let o = cli(dir.path(), &["registry", "validate", "nope.rpyx"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("nope.rpyx"), "{}", text(&o.stderr));

    std::fs::write(dir.path().join("junk.rpyx"), b"this is not a zip").unwrap();
    let o = cli(dir.path(), &["registry", "validate", "junk.rpyx", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["problems"][0]["message"].as_str().unwrap().contains("not a readable ZIP"));

    let o = cli(dir.path(), &["registry", "build", "no-such-folder"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("no-such-folder"), "{}", text(&o.stderr));

    let o = cli(dir.path(), &["registry", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn tampered_package_is_invalid_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = build_example(dir.path(), "wall-tools");
    // Rewrite one file after the build, as a compromised mirror might.
    let script = r#"
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename == "src/main.py":
            data += b"\nimport os; os.system('calc')\n"
        zout.writestr(info, data)
"#;
    let tampered = dir.path().join("tampered.rpyx");
    let st = Command::new("python3")
        .args(["-c", script, file.to_str().unwrap(), tampered.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    let o = cli(dir.path(), &["registry", "validate", tampered.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let problems = v["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["file"] == "src/main.py"
                && p["message"].as_str().unwrap().contains("does not match rpyx-build.json")),
        "{problems:?}"
    );
}

#[test]
fn cli_builds_are_reproducible_with_source_date_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let src = examples().join("room-exporter");
    let mut hashes = Vec::new();
    for (out, epoch) in [("a.rpyx", "1700000000"), ("b.rpyx", "1700000000"), ("c.rpyx", "1800000000")] {
        let o = Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
            .args(["--json", "registry", "build", src.to_str().unwrap(), "-o", out])
            .current_dir(dir.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        hashes.push(v["sha256"].as_str().unwrap().to_owned());
    }
    assert_eq!(hashes[0], hashes[1]);
    assert_ne!(hashes[0], hashes[2]);

    let o = Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
        .args(["registry", "build", src.to_str().unwrap(), "-o", "d.rpyx"])
        .current_dir(dir.path())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("SOURCE_DATE_EPOCH"));
}

#[test]
fn secrets_stop_the_build_with_the_flag_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for entry in std::fs::read_dir(examples().join("revitpy-utils")).unwrap() {
        let entry = entry.unwrap();
        let to = src.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
            for f in std::fs::read_dir(entry.path()).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        } else {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    std::fs::write(src.join("deploy.key"), "secret").unwrap();
    let o = cli(dir.path(), &["registry", "build", "src", "-o", "u.rpyx"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("deploy.key") && text(&o.stderr).contains("--allow-secrets"),
        "{}",
        text(&o.stderr)
    );
    assert!(!dir.path().join("u.rpyx").exists());
    let o = cli(dir.path(), &["registry", "build", "src", "-o", "u.rpyx", "--allow-secrets"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn validate_prints_the_scan_as_text_json_or_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let file = build_example(dir.path(), "sheet-publisher");
    let f = file.to_str().unwrap();

    // Text: the scanner's report, without colour when not on a terminal.
    let o = cli(dir.path(), &["registry", "validate", f, "--security-scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("security: risk level low"), "{out}");
    assert!(out.contains("impact:"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour outside a terminal: {out:?}");

    // --output-format json is --json.
    let a = cli(dir.path(), &["registry", "validate", f, "--security-scan", "--output-format", "json"]);
    let b = cli(dir.path(), &["registry", "validate", f, "--security-scan", "--json"]);
    assert_eq!(a.status.code(), Some(0));
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_slice(&a.stdout).unwrap(), serde_json::from_slice(&b.stdout).unwrap());
    assert_eq!(a, b);
    assert_eq!(a["risk_level"], "low");

    // SARIF 2.1.0 on standard output, nothing else there.
    let o = cli(dir.path(), &["registry", "validate", f, "--security-scan", "--output-format", "sarif"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["runs"][0]["results"].is_array(), "{log}");
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "revitpy-scan");

    // Usage errors: SARIF without a scan, and --json against another format.
    let o = cli(dir.path(), &["registry", "validate", f, "--output-format", "sarif"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--security-scan"), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty());
    let o = cli(dir.path(), &["registry", "validate", f, "--security-scan", "--json", "--output-format", "sarif"]);
    assert_eq!(o.status.code(), Some(2));
    let o = cli(dir.path(), &["registry", "validate", f, "--output-format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));

    // A blocked package: SARIF with its findings as errors, exit 1.
    let src = dir.path().join("evil-src");
    std::fs::create_dir_all(src.join("evil")).unwrap();
    std::fs::write(
        src.join("manifest.json"),
        r#"{"name": "evil-tools", "version": "1.0.0", "description": "x", "author": "x"}"#,
    )
    .unwrap();
    std::fs::write(src.join("evil/__init__.py"), "import base64\nexec(base64.b64decode(\"cHJpbnQoMSk=\"))\n").unwrap();
    let out = dir.path().join("evil.rpyx");
    let o = cli(dir.path(), &["registry", "build", src.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = cli(
        dir.path(),
        &["registry", "validate", out.to_str().unwrap(), "--security-scan", "--output-format", "sarif"],
    );
    assert_eq!(o.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "exec-decoded").expect("the finding is a result");
    assert_eq!(r["level"], "error");
    assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
    // The chain of facts behind the level, in the properties and the message.
    let because = r["properties"]["because"].as_array().expect("a chain");
    assert!(because.iter().any(|b| b.as_str().unwrap().contains("module level")), "{r}");
    assert!(r["message"]["text"].as_str().unwrap().contains("\n- what: `exec` receives data decoded"), "{r}");
    assert!(text(&o.stderr).contains("risk level critical"), "{}", text(&o.stderr));
    let o = cli(dir.path(), &["registry", "validate", out.to_str().unwrap(), "--security-scan"]);
    assert_eq!(o.status.code(), Some(1));
    let shown = text(&o.stdout);
    assert!(shown.contains("exec-decoded"), "{shown}");
    // The text report says why under the finding: when it runs and what it runs.
    assert!(shown.contains("- when: as soon as the module is imported"), "{shown}");
    assert!(shown.contains("receives data decoded or de-obfuscated first"), "{shown}");
    let o = cli(dir.path(), &["registry", "validate", out.to_str().unwrap(), "--security-scan", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["findings"][0]["because"].as_array().is_some_and(|b| b.len() >= 2), "{v}");
    assert!(!text(&o.stderr).contains("does not support Revit"), "{}", text(&o.stderr));
}

/// `build` and `validate` need no registry and no settings: a broken config
/// file stops only the commands that read it, and says which file.
#[test]
fn build_and_validate_work_with_a_broken_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "registry_url = [not toml").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
            .args(args)
            .current_dir(dir.path())
            .env("REVITPY_CONFIG", &config)
            .env("REVITPY_CACHE_DIR", dir.path().join("cache"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let src = examples().join("revitpy-utils");
    let out = dir.path().join("utils.rpyx");
    let o = run(&["registry", "build", src.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run(&["registry", "validate", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run(&["registry", "search", "walls", "--offline"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("config.toml"), "{}", text(&o.stderr));
}

#[test]
fn shell_completions_come_from_the_command_line_itself() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = cli(dir.path(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", text(&o.stderr));
        let script = text(&o.stdout);
        for word in ["revitpy-install", "registry", "install", "revit-version"] {
            assert!(script.contains(word), "{shell} completions lack `{word}`");
        }
    }
    assert_eq!(cli(dir.path(), &["completions", "tcsh"]).status.code(), Some(2));
}
