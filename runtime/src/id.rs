//! Docker's IDs: containers, execs, networks and endpoints all have one.

use rand::RngCore;

/// 64 random hex digits.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
