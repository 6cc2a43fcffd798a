//! Rule parameters: what a rule declares, what users set in `drydock.yaml`,
//! and what the rule reads while it runs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::resource::quantity::Quantity;
use crate::yaml::Value;

/// A parameter a rule declares, with its default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    /// Kebab-case, as written in `drydock.yaml`.
    pub name: &'static str,
    pub default: ParamDefault,
    /// One line for `drydock explain`.
    pub help: &'static str,
}

/// A default value; its variant is the parameter's type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamDefault {
    /// A Kubernetes quantity such as `64` or `1Mi`.
    Quantity(&'static str),
    Integer(i64),
    Boolean(bool),
    String(&'static str),
    Strings(&'static [&'static str]),
    /// IP ranges (`10.96.0.0/12`, `fd00::/108`), IPv4 and IPv6: a list, or
    /// one string with commas as the component flags take them.
    Cidrs(&'static [&'static str]),
}

impl Param {
    pub const fn quantity(name: &'static str, default: &'static str, help: &'static str) -> Self {
        Param {
            name,
            default: ParamDefault::Quantity(default),
            help,
        }
    }

    pub const fn integer(name: &'static str, default: i64, help: &'static str) -> Self {
        Param {
            name,
            default: ParamDefault::Integer(default),
            help,
        }
    }

    pub const fn boolean(name: &'static str, default: bool, help: &'static str) -> Self {
        Param {
            name,
            default: ParamDefault::Boolean(default),
            help,
        }
    }

    pub const fn string(name: &'static str, default: &'static str, help: &'static str) -> Self {
        Param {
            name,
            default: ParamDefault::String(default),
            help,
        }
    }

    pub const fn strings(
        name: &'static str,
        default: &'static [&'static str],
        help: &'static str,
    ) -> Self {
        Param {
            name,
            default: ParamDefault::Strings(default),
            help,
        }
    }

    pub const fn cidrs(
        name: &'static str,
        default: &'static [&'static str],
        help: &'static str,
    ) -> Self {
        Param {
            name,
            default: ParamDefault::Cidrs(default),
            help,
        }
    }

    /// `quantity`, `integer`, `boolean`, `string`, `strings` or `cidrs`.
    pub fn kind(&self) -> &'static str {
        match self.default {
            ParamDefault::Quantity(_) => "quantity",
            ParamDefault::Integer(_) => "integer",
            ParamDefault::Boolean(_) => "boolean",
            ParamDefault::String(_) => "string",
            ParamDefault::Strings(_) => "strings",
            ParamDefault::Cidrs(_) => "cidrs",
        }
    }

    /// "a quantity", "an integer", ...: for messages.
    pub fn type_name(&self) -> &'static str {
        match self.default {
            ParamDefault::Quantity(_) => "a quantity (such as 64, 500m or 1Mi)",
            ParamDefault::Integer(_) => "an integer",
            ParamDefault::Boolean(_) => "true or false",
            ParamDefault::String(_) => "a string",
            ParamDefault::Strings(_) => "a list of strings",
            ParamDefault::Cidrs(_) => "a list of CIDRs (such as 10.96.0.0/12 or fd00::/108)",
        }
    }

    /// The default as written in `drydock.yaml`.
    pub fn default_text(&self) -> String {
        match self.default {
            ParamDefault::Quantity(q) | ParamDefault::String(q) => q.to_owned(),
            ParamDefault::Integer(i) => i.to_string(),
            ParamDefault::Boolean(b) => b.to_string(),
            ParamDefault::Strings(s) | ParamDefault::Cidrs(s) => format!("[{}]", s.join(", ")),
        }
    }

    /// The default as a value; `None` only for a rule declaring a default
    /// that is not a quantity (the registry tests catch that).
    pub fn default_value(&self) -> Option<ParamValue> {
        Some(match self.default {
            ParamDefault::Quantity(q) => ParamValue::Quantity(Quantity::parse(q).ok()?),
            ParamDefault::Integer(i) => ParamValue::Integer(i),
            ParamDefault::Boolean(b) => ParamValue::Boolean(b),
            ParamDefault::String(s) => ParamValue::String(s.to_owned()),
            ParamDefault::Strings(s) => {
                ParamValue::Strings(s.iter().map(|s| (*s).to_owned()).collect())
            }
            ParamDefault::Cidrs(s) => ParamValue::Cidrs(
                s.iter()
                    .map(|s| Cidr::parse(s))
                    .collect::<Option<Vec<_>>>()?,
            ),
        })
    }

    /// Reads a configured value; `None` when it has the wrong type.
    pub fn parse(&self, v: &Value) -> Option<ParamValue> {
        match self.default {
            ParamDefault::Quantity(_) => Quantity::from_value(v).ok().map(ParamValue::Quantity),
            ParamDefault::Integer(_) => v.as_i64().map(ParamValue::Integer),
            ParamDefault::Boolean(_) => v.as_bool().map(ParamValue::Boolean),
            ParamDefault::String(_) => v.as_str().map(|s| ParamValue::String(s.to_owned())),
            ParamDefault::Strings(_) => {
                let items = v.as_seq()?;
                let strings: Option<Vec<String>> = items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect();
                strings.map(ParamValue::Strings)
            }
            ParamDefault::Cidrs(_) => {
                let texts: Vec<&str> = match v {
                    Value::String(s) => s.split(',').map(str::trim).collect(),
                    _ => v
                        .as_seq()?
                        .iter()
                        .map(Value::as_str)
                        .collect::<Option<_>>()?,
                };
                let cidrs: Option<Vec<Cidr>> = texts.iter().map(|t| Cidr::parse(t)).collect();
                cidrs.filter(|c| !c.is_empty()).map(ParamValue::Cidrs)
            }
        }
    }
}

/// An IP range: an address and a prefix length (`10.96.0.0/12`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The address with the host bits cleared.
    pub network: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// `None` unless `text` is an address, `/` and a prefix length that fits it.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = text.trim().split_once('/')?;
        // `u8::from_str` would take `+8`.
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > bits {
            return None;
        }
        Some(Cidr {
            network: mask(addr, prefix),
            prefix,
        })
    }

    /// Whether `ip` lies in the range (never across address families).
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// `ip` with all but the first `prefix` bits cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(bits & m))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(bits & m))
        }
    }
}

/// A parameter's value.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    Quantity(Quantity),
    Integer(i64),
    Boolean(bool),
    String(String),
    Strings(Vec<String>),
    Cidrs(Vec<Cidr>),
}

/// A rule's parameters as it runs: configured values, defaults for the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    values: Vec<(&'static str, ParamValue)>,
}

impl Params {
    /// Fills the declared parameters from `set`, falling back to defaults.
    pub fn resolve(declared: &[Param], set: &[(&'static str, ParamValue)]) -> Params {
        let values = declared
            .iter()
            .filter_map(|p| {
                let v = set
                    .iter()
                    .find(|(n, _)| *n == p.name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| p.default_value())?;
                Some((p.name, v))
            })
            .collect();
        Params { values }
    }

    fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn quantity(&self, name: &str) -> Option<Quantity> {
        match self.get(name)? {
            ParamValue::Quantity(q) => Some(*q),
            _ => None,
        }
    }

    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            ParamValue::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn boolean(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            ParamValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    pub fn string(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            ParamValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn strings(&self, name: &str) -> Option<&[String]> {
        match self.get(name)? {
            ParamValue::Strings(s) => Some(s),
            _ => None,
        }
    }

    pub fn cidrs(&self, name: &str) -> Option<&[Cidr]> {
        match self.get(name)? {
            ParamValue::Cidrs(c) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_parse_and_contain() {
        let v4 = Cidr::parse("10.96.0.0/12").expect("v4");
        assert_eq!(v4.to_string(), "10.96.0.0/12");
        assert!(v4.contains("10.96.0.10".parse().expect("ip")));
        assert!(v4.contains("10.111.255.255".parse().expect("ip")));
        assert!(!v4.contains("10.112.0.1".parse().expect("ip")));
        assert!(!v4.contains("1.1.1.1".parse().expect("ip")));
        assert!(!v4.contains("fd00::1".parse().expect("ip")));
        let v6 = Cidr::parse("fd00:10:96::/112").expect("v6");
        assert!(v6.contains("fd00:10:96::a".parse().expect("ip")));
        assert!(!v6.contains("fd00:10:97::a".parse().expect("ip")));
        // Host bits are cleared, as the API server does.
        assert_eq!(
            Cidr::parse("10.96.1.2/12").map(|c| c.to_string()),
            Some("10.96.0.0/12".into())
        );
        for bad in [
            "10.96.0.0",
            "10.96.0.0/33",
            "10.96.0.0/+1",
            "x/8",
            "fd00::/129",
            "",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}
