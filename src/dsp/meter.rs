//! Volume meter (RMS, peak, dBFS, smoothed level).
