//! Pitch detector.
