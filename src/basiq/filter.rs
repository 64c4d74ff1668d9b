//! Basiq's `filter` query parameter: `path.op('value'[,…])[,statement…]`, statements AND-ed.
//!
//! Parsing follows the grammar of the API digest §9.1; each endpoint then accepts only its own
//! fields and operators (§9.2). Anything else is the documented 400 "The provided filter
//! parameter is in invalid format or unsupported".

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gteq,
    Lt,
    Lteq,
    Bt,
    In,
}

/// One `path.op(args)` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub path: String,
    pub op: Op,
    pub args: Vec<String>,
}

impl Statement {
    /// Whether `value` satisfies this statement (string comparison; dates compare as text).
    pub fn matches(&self, value: &str) -> bool {
        let first = self.args.first().map(String::as_str).unwrap_or("");
        match self.op {
            Op::Eq => value == first,
            Op::Ne => value != first,
            Op::Gt => value > first,
            Op::Gteq => value >= first,
            Op::Lt => value < first,
            Op::Lteq => value <= first,
            Op::Bt => self.args.len() == 2 && value >= first && value <= self.args[1].as_str(),
            Op::In => self.args.iter().any(|a| a == value),
        }
    }
}

/// Parses a whole filter; `None` when it does not follow the grammar.
pub fn parse(text: &str) -> Option<Vec<Statement>> {
    let mut statements = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let open = rest.find('(')?;
        let (path, op) = rest[..open].rsplit_once('.')?;
        let op = match op {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "gteq" => Op::Gteq,
            "lt" => Op::Lt,
            "lteq" => Op::Lteq,
            "bt" => Op::Bt,
            "in" => Op::In,
            _ => return None,
        };
        if path.is_empty()
            || !path
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return None;
        }
        let mut args = Vec::new();
        let mut body = rest[open + 1..].trim_start();
        loop {
            let inner = body.strip_prefix('\'')?;
            let close = inner.find('\'')?;
            args.push(inner[..close].to_owned());
            body = inner[close + 1..].trim_start();
            if let Some(next) = body.strip_prefix(',') {
                body = next.trim_start();
                continue;
            }
            body = body.strip_prefix(')')?;
            break;
        }
        let arity_ok = match op {
            Op::Bt => args.len() == 2,
            Op::In => !args.is_empty(),
            _ => args.len() == 1,
        };
        if !arity_ok {
            return None;
        }
        statements.push(Statement {
            path: path.to_owned(),
            op,
            args,
        });
        rest = body.trim_start();
        if let Some(next) = rest.strip_prefix(',') {
            rest = next.trim_start();
            if rest.is_empty() {
                return None;
            }
        } else if !rest.is_empty() {
            return None;
        }
    }
    (!statements.is_empty()).then_some(statements)
}

/// Parses a filter and checks every statement against an endpoint's allow-list of
/// `(field, operators)`; `None` when anything is outside it.
pub fn parse_allowed(text: &str, allowed: &[(&str, &[Op])]) -> Option<Vec<Statement>> {
    let statements = parse(text)?;
    statements
        .iter()
        .all(|s| {
            allowed
                .iter()
                .any(|(field, ops)| *field == s.path && ops.contains(&s.op))
        })
        .then_some(statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_examples() {
        let s = parse("transaction.postDate.bt('2018-01-28','2018-02-27'),account.id.eq('aef3g')");
        let s = s.unwrap_or_default();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].op, Op::Bt);
        assert_eq!(s[0].args, vec!["2018-01-28", "2018-02-27"]);
        assert_eq!(s[1].path, "account.id");
        assert!(parse("institution.id.eq('AU00000')").is_some());
        assert!(parse("connector.institution.tier.in('1','2')").is_some());
    }

    #[test]
    fn rejects_malformed_filters() {
        for bad in [
            "",
            "x",
            "a.eq(b)",
            "a.eq('b'",
            "a.like('b')",
            "a.bt('1')",
            "a.eq('1','2')",
            "a.eq('1'),",
            "a.eq('1') b",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
