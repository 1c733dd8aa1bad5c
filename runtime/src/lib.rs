//! Whaleshell's container engine: images stored by content digest, layers
//! stacked with overlayfs, containers created with libcontainer and watched
//! by a monitor process each. The engine prints nothing: functions return
//! values and report progress through events; the app decides how to show
//! them. Terminal I/O happens only in the helper processes (a container's
//! monitor, an exec helper), which relay a foreground container's terminal
//! or streams; while one runs, the calling process ignores the terminal's
//! interrupt signals so that they reach the container instead.

pub mod build;
pub mod container;
mod debootstrap;
pub mod digest;
pub mod error;
pub mod events;
pub mod fsutil;
pub mod go_time;
pub mod hub;
mod id;
pub mod image;
pub mod layout;
pub mod network;
pub mod process;
pub mod reference;
pub mod registry;
pub mod routes;
mod runtime;
pub mod sysinfo;
pub mod usage;
pub mod volume;

pub use runtime::Runtime;

pub use error::{Error, Result};
