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
}

impl fmt::Display for ConfigError {
    #[cold]
    #[inline(never)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ConfigError::OutOfRange {
                option,
                allowed,
                value,
            } => write!(f, "pitchtap: {option} must be {allowed} (got {value})"),
            ConfigError::NotFinite { option, allowed } => {
                write!(
                    f,
                    "pitchtap: {option} must be {allowed} (got a non-finite number)"
                )
            }
            ConfigError::Conflict { option, allowed } => {
                write!(f, "pitchtap: {option} must be {allowed}")
            }
            ConfigError::WrongType { option, allowed } => {
                write!(f, "pitchtap: {option} must be {allowed}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}
