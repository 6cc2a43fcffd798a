//! Rule parameters: what a rule declares, what users set in `drydock.yaml`,
//! and what the rule reads while it runs.

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

    /// `quantity`, `integer`, `boolean`, `string` or `strings`.
    pub fn kind(&self) -> &'static str {
        match self.default {
            ParamDefault::Quantity(_) => "quantity",
            ParamDefault::Integer(_) => "integer",
            ParamDefault::Boolean(_) => "boolean",
            ParamDefault::String(_) => "string",
            ParamDefault::Strings(_) => "strings",
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
        }
    }

    /// The default as written in `drydock.yaml`.
    pub fn default_text(&self) -> String {
        match self.default {
            ParamDefault::Quantity(q) | ParamDefault::String(q) => q.to_owned(),
            ParamDefault::Integer(i) => i.to_string(),
            ParamDefault::Boolean(b) => b.to_string(),
            ParamDefault::Strings(s) => format!("[{}]", s.join(", ")),
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
}
