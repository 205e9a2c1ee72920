//! The scan bench with mimalloc, the allocator of `revitpy-install` (which
//! scans before it installs). The body is in `support/scan_body.rs`.
//! Run: `cargo bench -p revitpy-scan --bench scan`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/scan_body.rs"]
mod scan_body;

fn main() {
    scan_body::main();
}
