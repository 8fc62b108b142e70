//! Sine and cosine of a rational number of turns, for FFT twiddles and window weights.
//!
//! Every angle the core needs is `2π·p/q` with whole `p` and `q`, so the argument reduction
//! is exact integer arithmetic and the rest is two short Taylor series on `[0, π/4]`
//! (error under 1e-16 there). `f64::sin_cos` would do, but in the wasm build it brings
//! libm's general argument reduction for any `f64` (`rem_pio2_large`, about 6 kB of code)
//! into a package with a size budget.

use core::f64::consts::FRAC_PI_4;

/// `(sin, cos)` of `2π · p / q` radians. `q` must be above 0.
pub fn sin_cos_turns(p: u64, q: u64) -> (f64, f64) {
    debug_assert!(q > 0, "sin_cos_turns: q must be above 0");
    // p/q turns = (octant + r/q) eighths of a turn, 0 ≤ r < q.
    let eighths = (p % q) * 8;
    let (octant, r) = (eighths / q, eighths % q);
    // The angle within the quadrant: (octant odd ? π/4 : 0) + r/q · π/4. The odd octants
    // are measured back from π/2, so the series only ever sees [0, π/4].
    let (s, c) = if octant % 2 == 0 {
        series(r as f64 / q as f64 * FRAC_PI_4)
    } else {
        let (s, c) = series((q - r) as f64 / q as f64 * FRAC_PI_4);
        (c, s)
    };
    match octant / 2 {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// Taylor series of sine and cosine, for `0 ≤ x ≤ π/4`.
fn series(x: f64) -> (f64, f64) {
    let x2 = x * x;
    // Horner form, 9 and 10 terms: the first term left out is below 1e-17 at π/4.
    let (mut s, mut c) = (1.0, 1.0);
    for k in (1..=9u32).rev() {
        s = 1.0 - x2 / f64::from((2 * k) * (2 * k + 1)) * s;
        c = 1.0 - x2 / f64::from((2 * k - 1) * (2 * k)) * c;
    }
    (x * s, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_over_every_octant() {
        for q in [1u64, 2, 3, 4, 7, 8, 100, 1024, 4096, 131_072, 1_000_003] {
            let step = (q / 997).max(1);
            for p in (0..2 * q + 3).step_by(step as usize) {
                let (s, c) = sin_cos_turns(p, q);
                let (es, ec) = (core::f64::consts::TAU * p as f64 / q as f64).sin_cos();
                assert!(
                    (s - es).abs() < 1e-14 && (c - ec).abs() < 1e-14,
                    "{p}/{q}: ({s}, {c}) against ({es}, {ec})"
                );
            }
        }
    }

    #[test]
    fn exact_at_the_axes() {
        assert_eq!(sin_cos_turns(0, 4), (0.0, 1.0));
        assert_eq!(sin_cos_turns(1, 4), (1.0, 0.0));
        assert_eq!(sin_cos_turns(2, 4), (0.0, -1.0));
        assert_eq!(sin_cos_turns(3, 4), (-1.0, 0.0));
    }
}
