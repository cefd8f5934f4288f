//! cty numbers: [`Number`] (exact integers, floats and big decimals) and their numeric order.

use super::*;

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// A cty number. Integers are exact; `Big` holds a decimal literal for
/// numbers that fit neither `i64` nor (exactly) `f64`, as cty sends them.
/// Equality is numeric: `Int(2) == Float(2.0) == Big("2.0")`.
#[derive(Debug, Clone)]
pub enum Number {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A number too large or precise for the others, as its decimal text.
    Big(String),
}

impl Number {
    /// Parses a decimal literal (optionally signed, with fraction/exponent)
    /// or `inf`/`-inf`, as cty's `ParseNumberVal` does.
    pub fn parse(s: &str) -> Option<Number> {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Number::Int(i));
        }
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        if body.eq_ignore_ascii_case("inf") {
            return Some(Number::Float(if neg { f64::NEG_INFINITY } else { f64::INFINITY }));
        }
        Decimal::parse(s).map(|_| Number::Big(s.to_owned()))
    }

    /// The value as `i64` if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            // -2^63 and 2^63 are exact floats; `as` is exact for integral floats between them.
            Number::Float(f) if f.fract() == 0.0 && (i64::MIN as f64..-(i64::MIN as f64)).contains(f) => Some(*f as i64),
            Number::Float(_) => None,
            Number::Big(s) => Decimal::parse(s)?.to_i64(),
        }
    }

    /// The nearest `f64` (NaN for an invalid `Big` literal).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// Canonical form used for equality and set ordering.
    pub(super) fn key(&self) -> NumKey {
        let finite = |s: &str| Decimal::parse(s).map_or_else(|| NumKey::Invalid(s.to_owned()), NumKey::Finite);
        match (self.as_i64(), self) {
            // Integers compare exactly, even integral floats beyond 2^53.
            (Some(i), _) => finite(&i.to_string()),
            (None, Number::Float(f)) if f.is_nan() => NumKey::Invalid("NaN".into()),
            (None, Number::Float(f)) if *f == f64::INFINITY => NumKey::PosInf,
            (None, Number::Float(f)) if *f == f64::NEG_INFINITY => NumKey::NegInf,
            // Other floats compare by their shortest round-trip decimal form,
            // which is also what the JSON encoder writes.
            (None, Number::Float(f)) => finite(&format!("{f:e}")),
            (None, Number::Int(i)) => finite(&i.to_string()), // unreachable: as_i64 is Some
            (None, Number::Big(s)) => finite(s),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Number {}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Self {
        i64::try_from(u).map_or_else(|_| Number::Big(u.to_string()), Number::Int)
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Number::Float(f)
    }
}

/// A decimal `0.<digits> × 10^exp` with no leading/trailing zeros in
/// `digits` (empty for zero, which is never negative).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Decimal {
    pub(super) neg: bool,
    pub(super) exp: i64,
    pub(super) digits: String,
}

impl Decimal {
    /// Accepts `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`.
    pub(super) fn parse(s: &str) -> Option<Decimal> {
        let (neg, s) = match s.as_bytes().first() {
            Some(b'-') => (true, s.get(1..)?),
            Some(b'+') => (false, s.get(1..)?),
            _ => (false, s),
        };
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (s.get(..i)?, s.get(i + 1..)?.parse::<i64>().ok()?),
            None => (s, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all = format!("{int}{frac}");
        if all.is_empty() || !all.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let lead = all.bytes().take_while(|&b| b == b'0').count();
        let digits = all.get(lead..)?.trim_end_matches('0');
        if digits.is_empty() {
            return Some(Decimal { neg: false, exp: 0, digits: String::new() });
        }
        let exp = exp.checked_add(i64::try_from(int.len()).ok()?)?.checked_sub(i64::try_from(lead).ok()?)?;
        Some(Decimal { neg, exp, digits: digits.to_owned() })
    }

    pub(super) fn to_i64(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let zeros = usize::try_from(self.exp).ok()?.checked_sub(self.digits.len())?;
        if zeros > 19 {
            return None;
        }
        let sign = if self.neg { "-" } else { "" };
        format!("{sign}{}{}", self.digits, "0".repeat(zeros)).parse().ok()
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum NumKey {
    NegInf,
    Finite(Decimal),
    PosInf,
    Invalid(String),
}
