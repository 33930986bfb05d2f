//! Networks written as CIDR (`10.20.0.0/16`, `fd12:3456::/48`): the private
//! ranges an administrator lets federation reach, for partners on an
//! intranet, without opening every private address.

use std::net::IpAddr;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            // An IPv4 address written as IPv6 is judged as itself.
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.base, ip) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(base) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(base) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a network such as \"10.20.0.0/16\" or \"fd12::/48\"");
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let base: IpAddr = address.parse().map_err(|_| bad())?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { base, prefix })
    }
}

/// Whether any of `networks` holds `ip`.
pub fn any_contains(networks: &[Network], ip: IpAddr) -> bool {
    networks.iter().any(|n| n.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> Network {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_hold_their_addresses_only() {
        let lan = net("10.20.0.0/16");
        assert!(lan.contains(ip("10.20.3.4")));
        assert!(lan.contains(ip("::ffff:10.20.3.4")));
        assert!(!lan.contains(ip("10.21.0.1")));
        assert!(!lan.contains(ip("fd00::1")));
        assert!(net("fd12:3456::/32").contains(ip("fd12:3456:1::9")));
        assert!(!net("fd12:3456::/32").contains(ip("fd12:3457::1")));
        assert!(net("192.168.1.7").contains(ip("192.168.1.7")));
        assert!(!net("192.168.1.7").contains(ip("192.168.1.8")));
        assert!(net("0.0.0.0/0").contains(ip("127.0.0.1")));
    }

    #[test]
    fn nonsense_is_refused_with_an_example() {
        for text in [
            "",
            "10.20.0.0/33",
            "intranet",
            "10.20/16",
            "fd00::/129",
            "10.0.0.0/x",
        ] {
            assert!(
                text.parse::<Network>()
                    .unwrap_err()
                    .contains("10.20.0.0/16"),
                "{text}"
            );
        }
    }
}
