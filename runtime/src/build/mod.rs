//! `docker build`: Dockerfiles (see [`dockerfile`]) built into images.

pub mod builder;
pub mod dockerfile;
pub mod metadata;
pub mod shell_word;
