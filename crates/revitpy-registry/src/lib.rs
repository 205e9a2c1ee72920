//! The RevitPy Registry server as a library: [`app::open`] assembles the
//! state from settings, [`routes::build_router`] is the whole HTTP API, and
//! [`serve::serve`] runs it on a listener until shutdown. The binary in
//! `main.rs` adds the command line; tests start the same pieces on port 0.

pub mod app;
pub mod auth;
pub mod backup;
pub mod connections;
pub mod downloads;
mod drain;
pub mod error;
pub mod fsck;
pub mod healthcheck;
pub mod index_signing;
pub mod indexer;
pub mod metrics;
pub mod migrate;
pub mod openapi;
pub mod ratelimit;
pub mod rescan;
pub mod routes;
pub mod scans;
pub mod serve;
pub mod service;
pub mod settings;
pub mod shared_limits;
pub mod state;
pub mod views;
