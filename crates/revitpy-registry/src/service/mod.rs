//! What the registry does, apart from how it is asked: publish, yank and
//! unyank, owners, tokens. No HTTP type appears here; the routes extract,
//! stream and answer, the admin commands parse and print, and both call
//! these functions, so each rule is written once. Every refusal is a
//! [`ServiceError`]; `crate::error` maps it to a status in one place.

pub mod access;
pub mod error;
pub mod keys;
pub mod lookup;
pub mod owners;
pub mod publish;
pub mod tokens;
pub mod yank;

pub use error::{ServiceError, ServiceResult};
