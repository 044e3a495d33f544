use std::{fmt, str::FromStr};

/// A component of UdaConnect that a process can run (ARCHITECTURE.md §3). `all` runs every
/// component in one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    All,
    Gateway,
    Persons,
    Ingest,
    Writer,
    Connections,
    Detector,
    Notifier,
}

impl Target {
    pub const EVERY: [Target; 7] = [
        Target::Gateway,
        Target::Persons,
        Target::Ingest,
        Target::Writer,
        Target::Connections,
        Target::Detector,
        Target::Notifier,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::All => "all",
            Target::Gateway => "gateway",
            Target::Persons => "persons",
            Target::Ingest => "ingest",
            Target::Writer => "writer",
            Target::Connections => "connections",
            Target::Detector => "detector",
            Target::Notifier => "notifier",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        std::iter::once(Target::All)
            .chain(Target::EVERY)
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = std::iter::once(Target::All)
                    .chain(Target::EVERY)
                    .map(Target::name)
                    .collect();
                format!("unknown target {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// The set of targets one process runs, `all` expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets(Vec<Target>);

impl Targets {
    pub fn new(targets: &[Target]) -> Self {
        let mut v: Vec<Target> = if targets.is_empty() || targets.contains(&Target::All) {
            Target::EVERY.to_vec()
        } else {
            targets.to_vec()
        };
        v.sort();
        v.dedup();
        Self(v)
    }

    pub fn runs(&self, t: Target) -> bool {
        self.0.contains(&t)
    }

    pub fn is_all(&self) -> bool {
        Target::EVERY.iter().all(|t| self.0.contains(t))
    }

    pub fn iter(&self) -> impl Iterator<Item = Target> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Targets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.0.iter().map(|t| t.name()).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_expands_all() {
        assert_eq!("Writer".parse::<Target>().unwrap(), Target::Writer);
        assert!("nope".parse::<Target>().unwrap_err().contains("gateway"));
        let all = Targets::new(&[Target::All]);
        assert!(all.is_all() && all.runs(Target::Detector));
        let some = Targets::new(&[Target::Writer, Target::Gateway, Target::Writer]);
        assert_eq!(some.to_string(), "gateway,writer");
        assert!(!some.is_all());
    }
}
