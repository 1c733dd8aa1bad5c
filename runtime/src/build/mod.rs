//! `docker build`: Dockerfiles (see [`dockerfile`]) built into images.

pub mod dockerfile;
