//! A container's monitor and `docker exec`'s helper, as a binary of their
//! own: it links only the container code, so each long-lived monitor maps
//! (and relocates at start) a fraction of what the whole app would.

fn main() {
    let code = whaleshell_runtime::container::main_if_helper().unwrap_or_else(|| {
        eprintln!("whaleshell-monitor: started by whaleshell for each container; not meant to be run by hand");
        2
    });
    std::process::exit(code);
}
