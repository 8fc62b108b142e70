//! Test signals and measures: a deterministic noise generator, sample ramps and the distance
//! between two frequencies in cents.

/// Seed of every generated noise and random schedule, so a failure reproduces exactly.
pub const RNG_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// xorshift64*: tiny, deterministic, enough for test noise and random schedules.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in [-1, 1).
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// Approximately standard normal (sum of 12 uniforms on [0, 1), minus 6).
    pub fn gaussian(&mut self) -> f32 {
        (0..12).map(|_| 0.5 * (self.uniform() + 1.0)).sum::<f32>() - 6.0
    }
}

/// A ramp: frame `i` has value `i` (exact in f32 up to 2^24).
pub fn ramp(start: usize, n: usize) -> Vec<f32> {
    (start..start + n).map(|i| i as f32).collect()
}

/// How far `f` is from `reference`, in cents (1200 per octave).
pub fn cents(f: f32, reference: f64) -> f64 {
    1200.0 * (f as f64 / reference).log2()
}
