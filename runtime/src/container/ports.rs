//! Published ports (`-p HOST:CTR`): a userland proxy in the monitor. The
//! monitor listens on the host port and, for each connection, dials the
//! container's port from inside the container's network namespace (a socket
//! made there keeps that namespace), then copies bytes both ways. Docker
//! does the same for traffic to 127.0.0.1 (docker-proxy); it adds a bridge
//! and NAT rules for the rest, which Whaleshell does not have.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

use nix::sched::{setns, CloneFlags};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortSpec {
    pub host_ip: String,
    /// 0 until bound when the user left it to the system (`-p 80`).
    pub host_port: u16,
    pub container_port: u16,
}

impl PortSpec {
    /// Docker's PORTS column: `0.0.0.0:8050->80/tcp`.
    pub fn display(&self) -> String {
        format!("{}:{}->{}/tcp", self.host_ip, self.host_port, self.container_port)
    }
}

/// `--expose PORT[-END][/PROTO]`: the ports as Docker's Config.ExposedPorts
/// keys (`80/tcp`), with the words of Docker's client for a malformed one.
pub fn parse_expose(text: &str) -> Result<Vec<String>> {
    if text.contains(':') {
        return Err(Error::Spec(format!("invalid port format for --expose: {text}")));
    }
    let (ports, proto) = text.split_once('/').unwrap_or((text, "tcp"));
    let invalid = |why: String| Error::Spec(format!("invalid range format for --expose: {text}, error: {why}"));
    // Go's strconv.ParseUint(p, 10, 16) and its words.
    let number = |p: &str| match p.parse::<u64>() {
        Ok(n) if n <= u64::from(u16::MAX) => Ok(n),
        Ok(_) => Err(invalid(format!("strconv.ParseUint: parsing {p:?}: value out of range"))),
        Err(_) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Err(invalid(format!("strconv.ParseUint: parsing {p:?}: value out of range"))),
        Err(_) => Err(invalid(format!("strconv.ParseUint: parsing {p:?}: invalid syntax"))),
    };
    let (start, end) = match ports.split_once('-') {
        None if ports.is_empty() => return Err(invalid("empty string specified for ports".into())),
        None => (number(ports)?, number(ports)?),
        Some((a, b)) => (number(a)?, number(b.split('-').next().unwrap_or(b))?),
    };
    if end < start {
        return Err(invalid(format!("invalid range specified for the Port: {ports}")));
    }
    let proto = proto.to_lowercase();
    Ok((start..=end).map(|port| format!("{port}/{proto}")).collect())
}

/// `[HOST_IP:]HOST_PORT:CTR_PORT[/tcp]` or `CTR_PORT[/tcp]`.
pub fn parse_publish(text: &str) -> Result<PortSpec> {
    let invalid = |why: &str| Error::Spec(format!("invalid argument \"{text}\" for \"-p, --publish\" flag: {why}"));
    let (spec, proto) = text.split_once('/').unwrap_or((text, "tcp"));
    if proto != "tcp" {
        return Err(invalid(&format!("protocol {proto} is not supported yet, only tcp")));
    }
    let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
    let (host_ip, host_port, ctr) = match parts.as_slice() {
        [ctr] => ("0.0.0.0", "0", *ctr),
        [ctr, host] => ("0.0.0.0", *host, *ctr),
        [ctr, host, ip] => (*ip, *host, *ctr),
        _ => return Err(invalid("bad format")),
    };
    let port = |p: &str| p.parse::<u16>().map_err(|_| invalid(&format!("invalid port {p:?}")));
    let host_ip = if host_ip.is_empty() { "0.0.0.0" } else { host_ip };
    host_ip.parse::<std::net::IpAddr>().map_err(|_| invalid(&format!("invalid IP address {host_ip:?}")))?;
    let container_port = port(ctr)?;
    if container_port == 0 {
        return Err(invalid("invalid container port 0"));
    }
    Ok(PortSpec { host_ip: host_ip.to_owned(), host_port: if host_port.is_empty() { 0 } else { port(host_port)? }, container_port })
}

/// Binds every published port before the container starts, so a port in
/// use fails the start with Docker's message. Returns the bound specs
/// (with the ports the system chose).
pub fn bind_all(ports: &[PortSpec], name: &str, id: &str) -> Result<Vec<(TcpListener, PortSpec)>> {
    ports
        .iter()
        .map(|p| {
            let addr: SocketAddr =
                format!("{}:{}", p.host_ip, p.host_port).parse().map_err(|_| Error::Spec(format!("invalid address {}:{}", p.host_ip, p.host_port)))?;
            let listener = TcpListener::bind(addr).map_err(|e| {
                Error::Spec(format!(
                    "driver failed programming external connectivity on endpoint {name} ({}): Bind for {}:{} failed: {}",
                    &id[..12],
                    p.host_ip,
                    p.host_port,
                    if e.kind() == ErrorKind::AddrInUse { "port is already allocated".to_owned() } else { e.to_string() }
                ))
            })?;
            listener.set_nonblocking(true).map_err(Error::io("configuring", "port listener"))?;
            let bound = PortSpec { host_port: listener.local_addr().map(|a| a.port()).unwrap_or(p.host_port), ..p.clone() };
            Ok((listener, bound))
        })
        .collect()
}

/// Runs `f` inside the network namespace `netns`, then returns to `home`.
/// Only for single-threaded processes: setns changes this thread.
pub fn in_netns<T>(netns: &File, home: &File, f: impl FnOnce() -> T) -> Result<T> {
    setns(netns.as_fd(), CloneFlags::CLONE_NEWNET).map_err(Error::sys("setns into container network"))?;
    let out = f();
    setns(home.as_fd(), CloneFlags::CLONE_NEWNET).map_err(Error::sys("setns back to host network"))?;
    Ok(out)
}

/// A fresh network namespace has `lo` down; Docker's containers have it up.
pub fn bring_up_loopback(netns: &File, home: &File) -> Result<()> {
    in_netns(netns, home, || -> std::io::Result<()> {
        let sock = std::net::UdpSocket::bind("0.0.0.0:0")?;
        let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
        for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
            *dst = *src as libc::c_char;
        }
        let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
        // SAFETY: SIOCGIFFLAGS/SIOCSIFFLAGS read and write the ifreq we own.
        unsafe {
            if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            if libc::ioctl(fd, libc::SIOCSIFFLAGS, &req) < 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    })?
    .map_err(Error::io("bringing up lo in", "container network"))
}

/// One proxied connection: user ⇄ container, with a buffer each way.
pub struct Pair {
    pub outside: TcpStream,
    pub inside: TcpStream,
    to_inside: Vec<u8>,
    to_outside: Vec<u8>,
    outside_done: bool,
    inside_done: bool,
}

impl Pair {
    /// Dials the container's port from inside its network namespace.
    pub fn connect(outside: TcpStream, container_port: u16, netns: &File, home: &File) -> Option<Pair> {
        let inside = in_netns(netns, home, || TcpStream::connect(("127.0.0.1", container_port))).ok()?.ok()?;
        outside.set_nonblocking(true).ok()?;
        inside.set_nonblocking(true).ok()?;
        Some(Pair { outside, inside, to_inside: Vec::new(), to_outside: Vec::new(), outside_done: false, inside_done: false })
    }

    /// What to poll for on (outside, inside).
    pub fn interest(&self) -> (bool, bool, bool, bool) {
        (
            !self.outside_done && self.to_inside.is_empty(),
            !self.to_outside.is_empty(),
            !self.inside_done && self.to_outside.is_empty(),
            !self.to_inside.is_empty(),
        )
    }

    pub fn fds(&self) -> (BorrowedFd<'_>, BorrowedFd<'_>) {
        (self.outside.as_fd(), self.inside.as_fd())
    }

    /// Moves what can be moved; false once the connection is over.
    pub fn pump(&mut self) -> bool {
        Self::flow(&mut self.outside, &mut self.inside, &mut self.to_inside, &mut self.outside_done)
            && Self::flow(&mut self.inside, &mut self.outside, &mut self.to_outside, &mut self.inside_done)
            && !(self.outside_done && self.inside_done && self.to_inside.is_empty() && self.to_outside.is_empty())
    }

    fn flow(from: &mut TcpStream, to: &mut TcpStream, buf: &mut Vec<u8>, from_done: &mut bool) -> bool {
        if buf.is_empty() && !*from_done {
            let mut chunk = [0u8; 16384];
            match from.read(&mut chunk) {
                Ok(0) => {
                    *from_done = true;
                    let _ = to.shutdown(Shutdown::Write);
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return false,
            }
        }
        if !buf.is_empty() {
            match to.write(buf) {
                Ok(n) => {
                    buf.drain(..n);
                    if buf.is_empty() && *from_done {
                        let _ = to.shutdown(Shutdown::Write);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_flags() {
        let p = parse_publish("8050:80").unwrap();
        assert_eq!((p.host_ip.as_str(), p.host_port, p.container_port), ("0.0.0.0", 8050, 80));
        let p = parse_publish("127.0.0.1:8080:80/tcp").unwrap();
        assert_eq!((p.host_ip.as_str(), p.host_port), ("127.0.0.1", 8080));
        assert_eq!(parse_publish("80").unwrap().host_port, 0);
        assert!(parse_publish("80/udp").is_err());
        assert!(parse_publish("x:80").is_err());
        assert_eq!(parse_publish("8050:80").unwrap().display(), "0.0.0.0:8050->80/tcp");
    }
}
