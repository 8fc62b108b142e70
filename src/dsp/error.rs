//! Errors as values.
//!
//! Setup errors ([`ConfigError`]) are returned by constructors and `configure` methods and
//! become a JavaScript `RangeError` or `TypeError` at the wasm boundary (see
//! [`ConfigError::is_type_error`]). Run-time problems are never errors: the real-time paths
//! count them (dropped samples, refused buffers) and carry on.

use core::fmt;

/// An option value that cannot be used. Every variant names the option (as spelled in the
/// JavaScript API, e.g. `"batchSize"` or `"pitch.minFrequency"`) and what is allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A number outside its allowed range (JS `RangeError`).
    OutOfRange {
        /// The option's name in the JS API.
        option: &'static str,
        /// What is allowed, in words, e.g. `"a multiple of 128 from 128 to 16384"`.
        allowed: &'static str,
        /// The value that was given.
        value: f64,
    },
    /// NaN or ±Infinity where a finite number is required (JS `RangeError`).
    NotFinite {
        /// The option's name in the JS API.
        option: &'static str,
        /// What is allowed.
        allowed: &'static str,
    },
    /// Two options that are each valid but not together, e.g. `minFrequency >= maxFrequency`
    /// (JS `RangeError`).
    Conflict {
        /// The option reported as wrong.
        option: &'static str,
        /// Why, in words.
        allowed: &'static str,
    },
    /// A value of the wrong kind, e.g. an unknown channel mode (JS `TypeError`).
    WrongType {
        /// The option's name in the JS API.
        option: &'static str,
        /// What is allowed.
        allowed: &'static str,
    },
}

impl ConfigError {
    /// The option this error is about, as spelled in the JS API.
    pub fn option(&self) -> &'static str {
        match *self {
            ConfigError::OutOfRange { option, .. }
            | ConfigError::NotFinite { option, .. }
            | ConfigError::Conflict { option, .. }
            | ConfigError::WrongType { option, .. } => option,
        }
    }

    /// True when JavaScript should see a `TypeError` rather than a `RangeError`.
    pub fn is_type_error(&self) -> bool {
        matches!(self, ConfigError::WrongType { .. })
    }

    /// Checks that `value` is finite and within `min..=max`.
    pub fn check_range(
        option: &'static str,
        allowed: &'static str,
        value: f64,
        min: f64,
        max: f64,
    ) -> Result<(), ConfigError> {
        if !value.is_finite() {
            return Err(ConfigError::NotFinite { option, allowed });
        }
        if value < min || value > max {
            return Err(ConfigError::OutOfRange {
                option,
                allowed,
                value,
            });
        }
        Ok(())
    }

    /// Checks that `value` is a whole number within `min..=max` and returns it. The one
    /// check for every option counted in whole units (samples, buffers, a channel index),
    /// so that each reports a bad value the same way: [`ConfigError::NotFinite`] for NaN or
    /// ±Infinity, else [`ConfigError::OutOfRange`] with the value given.
    pub fn check_whole(
        option: &'static str,
        allowed: &'static str,
        value: f64,
        min: f64,
        max: f64,
    ) -> Result<usize, ConfigError> {
        Self::check_range(option, allowed, value, min, max)?;
        if value.fract() != 0.0 {
            return Err(ConfigError::OutOfRange {
                option,
                allowed,
                value,
            });
        }
        Ok(value as usize)
    }
}

/// What a [`ConfigError`] message says after `pitchtap: {option} must be {allowed}`
/// ([`ConfigError::got`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Got {
    /// ` (got {value})`.
    Value(f64),
    /// ` (got a non-finite number)`.
    NonFinite,
    /// Nothing.
    Nothing,
}

impl ConfigError {
    /// What is allowed, in words (the message's `must be …` part).
    pub fn allowed(&self) -> &'static str {
        match *self {
            ConfigError::OutOfRange { allowed, .. }
            | ConfigError::NotFinite { allowed, .. }
            | ConfigError::Conflict { allowed, .. }
            | ConfigError::WrongType { allowed, .. } => allowed,
        }
    }

    /// The end of the message: the value given, when there is one to show. Lets the wasm
    /// glue format the number with JavaScript's `Number#toString` (as the JS side's own
    /// messages do) and so leave Rust's float formatting out of the wasm.
    pub fn got(&self) -> Got {
        match *self {
            ConfigError::OutOfRange { value, .. } => Got::Value(value),
            ConfigError::NotFinite { .. } => Got::NonFinite,
            ConfigError::Conflict { .. } | ConfigError::WrongType { .. } => Got::Nothing,
        }
    }
}

impl fmt::Display for ConfigError {
    #[cold]
    #[inline(never)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pitchtap: {} must be {}", self.option(), self.allowed())?;
        match self.got() {
            Got::Value(value) => write!(f, " (got {value})"),
            Got::NonFinite => f.write_str(" (got a non-finite number)"),
            Got::Nothing => Ok(()),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_in_range_pass_and_the_rest_name_the_option() {
        let check = |v| ConfigError::check_whole("pool", "1 to 8", v, 1.0, 8.0);
        assert_eq!(check(1.0), Ok(1));
        assert_eq!(check(8.0), Ok(8));
        for v in [0.0, 9.0, 2.5, -1.0] {
            assert_eq!(
                check(v),
                Err(ConfigError::OutOfRange {
                    option: "pool",
                    allowed: "1 to 8",
                    value: v
                })
            );
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(
                check(v),
                Err(ConfigError::NotFinite {
                    option: "pool",
                    allowed: "1 to 8"
                })
            );
        }
    }
}
