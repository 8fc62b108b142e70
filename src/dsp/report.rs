//! The numbers the main-thread wasm hands JavaScript, and where each one is.
//!
//! For every batch, `MainTap.receiveBatch` (`src/wasm/main_thread.rs`) writes the *report*:
//! one `f64` array in wasm memory that `js/main/receive.js` reads through a
//! `Float64Array` view, with no call into wasm and nothing allocated per batch or per
//! estimate. Its layout:
//!
//! | index | what |
//! |---|---|
//! | [`R_SEQ`] … [`R_IN_FLIGHT`] | header fields of the batch ([`write_report`]) |
//! | [`R_ANALYZED`] | 1 when the analyzers ran on the batch, else 0 (the volume is then stale) |
//! | [`R_RMS`] … [`R_SMOOTHED_DB`] | its volume |
//! | [`R_ESTIMATES`] | how many pitch estimates follow |
//! | [`REPORT_HEAD`] + [`REPORT_ESTIMATE_FIELDS`] × i + `E_*` | field `E_*` of estimate i |
//!
//! `receiveBatch` returns a status: [`S_MALFORMED`], [`S_BATCH`] or [`S_REPORT_MOVED`].
//! `PitchAnalysis.push` (`analyze()` of the JS API) returns [`ANALYZE_FIELDS`] numbers per
//! estimate, field `A_*` of each at that offset.
//!
//! JavaScript reads every one of these by the same name (`js/main/constants.js`);
//! `tests/js_mirrors.rs` checks that the two sides agree.

use super::analysis::StreamAnalyzer;
use super::header::BatchHeader;
use super::pitch::PitchEstimate;

/// Header field: sequence number.
pub const R_SEQ: usize = 0;
/// Header field: context frame of the first sample.
pub const R_START_FRAME: usize = 1;
/// Header field: sample rate.
pub const R_SAMPLE_RATE: usize = 2;
/// Header field: flags.
pub const R_FLAGS: usize = 3;
/// Header field: frames.
pub const R_FRAMES: usize = 4;
/// Header field: channels.
pub const R_CHANNELS: usize = 5;
/// Header field: frames dropped right before the batch.
pub const R_DROPPED_BEFORE: usize = 6;
/// Header field: pool size.
pub const R_POOL_SIZE: usize = 7;
/// Header field: buffers in flight when posted.
pub const R_IN_FLIGHT: usize = 8;
/// 1 when the analyzers ran on the batch, else 0 (and the volume fields are stale).
pub const R_ANALYZED: usize = 9;
/// Volume: RMS (linear).
pub const R_RMS: usize = 10;
/// Volume: peak (linear).
pub const R_PEAK: usize = 11;
/// Volume: RMS in dBFS.
pub const R_DB: usize = 12;
/// Volume: smoothed level in dBFS.
pub const R_SMOOTHED_DB: usize = 13;
/// Pitch estimates of the batch (0 when not analysed).
pub const R_ESTIMATES: usize = 14;
/// Numbers before the first estimate.
pub const REPORT_HEAD: usize = 16;

/// Estimate field: context frame of the window centre.
pub const E_FRAME: usize = 0;
/// Estimate field: frequency in Hz (0 when unvoiced).
pub const E_FREQUENCY: usize = 1;
/// Estimate field: clarity.
pub const E_CLARITY: usize = 2;
/// Estimate field: MIDI note.
pub const E_MIDI: usize = 3;
/// Estimate field: cents off the note.
pub const E_CENTS: usize = 4;
/// Estimate field: level of the window in dBFS.
pub const E_DB: usize = 5;
/// Estimate field: [`KIND_HOP`] or [`KIND_EARLY`].
pub const E_KIND: usize = 6;
/// Numbers per estimate.
pub const REPORT_ESTIMATE_FIELDS: usize = 7;

/// [`E_KIND`] of one of the detector's hop estimates.
pub const KIND_HOP: f64 = 0.0;
/// [`E_KIND`] of an early estimate at an onset (see [`crate::dsp::early`]).
pub const KIND_EARLY: f64 = 1.0;

/// `receiveBatch`: the message was not a well-formed batch (counted; the report is
/// unchanged).
pub const S_MALFORMED: u32 = 0;
/// `receiveBatch`: a batch; the report holds it.
pub const S_BATCH: u32 = 1;
/// `receiveBatch`: a batch, and the report's storage has moved: JavaScript must take a new
/// view of it.
pub const S_REPORT_MOVED: u32 = 2;

/// `PitchAnalysis.push` row field: time of the window centre, in seconds from the first
/// sample.
pub const A_TIME: usize = 0;
/// Row field: frequency in Hz (0 when unvoiced).
pub const A_FREQUENCY: usize = 1;
/// Row field: clarity.
pub const A_CLARITY: usize = 2;
/// Row field: MIDI note.
pub const A_MIDI: usize = 3;
/// Row field: cents.
pub const A_CENTS: usize = 4;
/// Row field: level in dBFS.
pub const A_DB: usize = 5;
/// Numbers per row.
pub const ANALYZE_FIELDS: usize = 6;

/// Length of a report with room for `estimate_capacity` hop estimates and an early one.
pub fn report_len(estimate_capacity: usize) -> usize {
    REPORT_HEAD + REPORT_ESTIMATE_FIELDS * (estimate_capacity + 1)
}

/// Writes the report of a batch with header `h` that `analysis` has just processed. The
/// volume is written only when the analyzers ran; estimates past the end of `out` are left
/// out (a report of [`report_len`]`(analysis.estimate_capacity())` holds them all).
///
/// # Panics
/// If `out` is shorter than [`REPORT_HEAD`].
pub fn write_report(out: &mut [f64], h: &BatchHeader, analysis: &StreamAnalyzer) {
    let (head, rows) = out.split_at_mut(REPORT_HEAD);
    head[R_SEQ] = h.seq as f64;
    head[R_START_FRAME] = h.start_frame;
    head[R_SAMPLE_RATE] = h.sample_rate;
    head[R_FLAGS] = h.flags as f64;
    head[R_FRAMES] = h.frames as f64;
    head[R_CHANNELS] = h.channels as f64;
    head[R_DROPPED_BEFORE] = h.dropped_before;
    head[R_POOL_SIZE] = h.pool_size as f64;
    head[R_IN_FLIGHT] = h.in_flight as f64;
    head[R_ANALYZED] = if analysis.analyzed() { 1.0 } else { 0.0 };
    if analysis.analyzed() {
        let v = analysis.volume();
        head[R_RMS] = v.rms as f64;
        head[R_PEAK] = v.peak as f64;
        head[R_DB] = v.db as f64;
        head[R_SMOOTHED_DB] = v.smoothed_db as f64;
    }
    let early = analysis.early_estimate();
    head[R_ESTIMATES] = (analysis.estimates().len() + usize::from(early.is_some())) as f64;
    let kinds = analysis
        .estimates()
        .iter()
        .map(|e| (e, KIND_HOP))
        .chain(early.map(|e| (e, KIND_EARLY)));
    for ((e, kind), row) in kinds.zip(rows.chunks_exact_mut(REPORT_ESTIMATE_FIELDS)) {
        let mut fields = [0.0; REPORT_ESTIMATE_FIELDS];
        fields[E_FRAME] = e.centre_frame;
        fields[E_FREQUENCY] = e.frequency as f64;
        fields[E_CLARITY] = e.clarity as f64;
        fields[E_MIDI] = e.midi as f64;
        fields[E_CENTS] = e.cents as f64;
        fields[E_DB] = e.db as f64;
        fields[E_KIND] = kind;
        row.copy_from_slice(&fields);
    }
}

/// The `PitchAnalysis.push` row of estimate `e`, centred `time` seconds from the first
/// sample.
pub fn analyze_row(time: f64, e: &PitchEstimate) -> [f64; ANALYZE_FIELDS] {
    let mut row = [0.0; ANALYZE_FIELDS];
    row[A_TIME] = time;
    row[A_FREQUENCY] = e.frequency as f64;
    row[A_CLARITY] = e.clarity as f64;
    row[A_MIDI] = e.midi as f64;
    row[A_CENTS] = e.cents as f64;
    row[A_DB] = e.db as f64;
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::analysis::AnalysisOptions;

    #[test]
    fn a_report_holds_the_header_the_volume_and_every_estimate() {
        let rate = 44_100.0;
        let mut a = StreamAnalyzer::new(AnalysisOptions::default(), rate).unwrap();
        a.reserve(4096);
        let mut out = vec![f64::NAN; report_len(a.estimate_capacity())];
        let h = BatchHeader {
            seq: 5,
            flags: 3,
            channels: 1,
            pool_size: 16,
            in_flight: 2,
            dropped_before: 7.0,
            sample_rate: rate as f64,
            ..BatchHeader::default()
        };
        // Silence, then a tone in 256-frame batches, until a batch with hop estimates and
        // an early one.
        let mut seen = false;
        for k in 0..400 {
            let batch: Vec<f32> = (k * 256..k * 256 + 256)
                .map(|i| {
                    let t = i as f32 / rate;
                    if i < 22_050 {
                        0.0
                    } else {
                        0.5 * (2.0 * core::f32::consts::PI * 440.0 * t).sin()
                    }
                })
                .collect();
            let start = (k * 256) as f64;
            assert!(a.process(start, rate, 1, &batch));
            let h = BatchHeader {
                start_frame: start,
                frames: 256,
                ..h
            };
            write_report(&mut out, &h, &a);
            assert_eq!(out[R_SEQ], 5.0);
            assert_eq!((out[R_START_FRAME], out[R_FRAMES]), (start, 256.0));
            assert_eq!(
                (out[R_FLAGS], out[R_CHANNELS], out[R_SAMPLE_RATE]),
                (3.0, 1.0, 44_100.0)
            );
            assert_eq!(
                (out[R_POOL_SIZE], out[R_IN_FLIGHT], out[R_DROPPED_BEFORE]),
                (16.0, 2.0, 7.0)
            );
            assert_eq!(out[R_ANALYZED], 1.0);
            assert_eq!(out[R_DB], a.volume().db as f64);
            assert_eq!(out[R_SMOOTHED_DB], a.volume().smoothed_db as f64);
            let hops = a.estimates().len();
            let n = hops + usize::from(a.early_estimate().is_some());
            assert_eq!(out[R_ESTIMATES], n as f64);
            let rows: Vec<&[f64]> = out[REPORT_HEAD..]
                .chunks_exact(REPORT_ESTIMATE_FIELDS)
                .take(n)
                .collect();
            for (e, row) in a.estimates().iter().chain(a.early_estimate()).zip(&rows) {
                assert_eq!(row[E_FRAME], e.centre_frame);
                assert_eq!(row[E_FREQUENCY], e.frequency as f64);
                assert_eq!(row[E_CLARITY], e.clarity as f64);
                assert_eq!(row[E_MIDI], e.midi as f64);
                assert_eq!(row[E_CENTS], e.cents as f64);
                assert_eq!(row[E_DB], e.db as f64);
            }
            // The early estimate, if any, comes last.
            for (i, row) in rows.iter().enumerate() {
                let kind = if i < hops { KIND_HOP } else { KIND_EARLY };
                assert_eq!(row[E_KIND], kind);
            }
            seen |= hops > 0 && a.early_estimate().is_some();
        }
        assert!(seen, "no batch with both kinds of estimate");
    }

    #[test]
    fn an_analyze_row_names_its_fields() {
        let e = PitchEstimate {
            centre_frame: 4410.0,
            frequency: 440.0,
            clarity: 0.9,
            voiced: true,
            midi: 69,
            note: "A4",
            cents: 1.5,
            db: -12.0,
        };
        let row = analyze_row(0.1, &e);
        assert_eq!(row[A_TIME], 0.1);
        assert_eq!(row[A_FREQUENCY], 440.0);
        assert_eq!(row[A_CLARITY], 0.9f32 as f64);
        assert_eq!((row[A_MIDI], row[A_CENTS], row[A_DB]), (69.0, 1.5, -12.0));
    }
}
