//! Images: the content-addressed store, layer unpacking, and pulling.

pub mod archive;
pub mod change;
pub mod commit;
pub mod config;
pub mod import;
pub mod layer;
pub mod manifest;
pub mod pull;
pub mod store;
