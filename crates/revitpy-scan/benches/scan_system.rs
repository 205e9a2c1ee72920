//! The scan bench with the system allocator, as `revitpy-registry` scans
//! uploads (it keeps glibc's malloc for its memory goals). The body is in
//! `support/scan_body.rs`.
//! Run: `cargo bench -p revitpy-scan --bench scan_system`.

#[path = "support/scan_body.rs"]
mod scan_body;

fn main() {
    scan_body::main();
}
