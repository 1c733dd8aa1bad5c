//! IPv4 subnets as Docker writes them (`172.18.0.0/16`): parsing, the
//! addresses in one, and whether two overlap.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    base: u32,
    prefix: u8,
}

impl Subnet {
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Option<Subnet> {
        (prefix <= 32).then(|| Subnet { base: u32::from(addr) & mask(prefix), prefix })
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.base)
    }

    fn last(&self) -> u32 {
        self.base | !mask(self.prefix)
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & mask(self.prefix) == self.base
    }

    pub fn overlaps(&self, other: &Subnet) -> bool {
        self.base <= other.last() && other.base <= self.last()
    }

    /// The first address after the network's own: Docker's gateway.
    pub fn first_host(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.base + 1)
    }

    /// The addresses a container may have, lowest first: neither the
    /// network's address nor its broadcast.
    pub fn hosts(&self) -> impl Iterator<Item = Ipv4Addr> {
        (self.base + 1..self.last()).map(Ipv4Addr::from)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix as u32)
    }
}

impl fmt::Display for Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix)
    }
}

impl FromStr for Subnet {
    type Err = String;

    /// `ADDR/PREFIX`; host bits set are cleared, as Docker does.
    fn from_str(s: &str) -> Result<Subnet, String> {
        let bad = || format!("invalid CIDR address: {s}");
        let (addr, prefix) = s.split_once('/').ok_or_else(bad)?;
        let addr: Ipv4Addr = addr.parse().map_err(|_| bad())?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        Subnet::new(addr, prefix).ok_or_else(bad)
    }
}

impl Serialize for Subnet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Subnet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Subnet, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Docker's default address pools, in its order: 172.17–31.0.0/16, then
/// 192.168.0.0/16 cut in /20s; then, as many state roots share one host
/// (each with its default bridge), Podman's 10.89.0.0/16 cut in /24s.
pub fn default_pools() -> impl Iterator<Item = Subnet> {
    let b16 = (17..=31u8).filter_map(|b| Subnet::new(Ipv4Addr::new(172, b, 0, 0), 16));
    let c20 = (0..16u8).filter_map(|i| Subnet::new(Ipv4Addr::new(192, 168, i * 16, 0), 20));
    let podman = (0..=255u8).filter_map(|i| Subnet::new(Ipv4Addr::new(10, 89, i, 0), 24));
    b16.chain(c20).chain(podman)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_clears_host_bits_and_overlaps() {
        let a: Subnet = "10.77.0.9/24".parse().unwrap();
        assert_eq!(a.to_string(), "10.77.0.0/24");
        assert_eq!(a.first_host(), Ipv4Addr::new(10, 77, 0, 1));
        assert!(a.contains(Ipv4Addr::new(10, 77, 0, 255)));
        assert!(!a.contains(Ipv4Addr::new(10, 77, 1, 0)));
        let wide: Subnet = "10.0.0.0/8".parse().unwrap();
        assert!(wide.overlaps(&a) && a.overlaps(&wide));
        assert!(!a.overlaps(&"10.77.1.0/24".parse().unwrap()));
        assert_eq!(a.hosts().count(), 254);
        assert!("10.77.0.0".parse::<Subnet>().is_err());
        assert!("10.77.0.0/33".parse::<Subnet>().is_err());
    }

    #[test]
    fn pools_are_dockers() {
        let pools: Vec<String> = default_pools().map(|s| s.to_string()).collect();
        assert_eq!(pools.first().map(String::as_str), Some("172.17.0.0/16"));
        assert_eq!(pools.get(15).map(String::as_str), Some("192.168.0.0/20"));
        assert_eq!(pools.get(31).map(String::as_str), Some("10.89.0.0/24"));
        assert_eq!(pools.len(), 31 + 256);
    }
}
