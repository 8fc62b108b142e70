//! What the main thread makes of the audio. [`StreamAnalyzer`] runs the volume meter and
//! the pitch detector over a stream of batches, with early pitch estimates at onsets
//! ([`EarlyPitch`]): it follows the sample rate each batch states, mixes several channels
//! down to one, and keeps each batch's estimates in a list of fixed capacity, counting any
//! that do not fit. [`PitchTrack`] runs the detector over one whole signal given in chunks.
//!
//! # Real time
//! [`StreamAnalyzer::new`] and [`StreamAnalyzer::reserve`] allocate. [`StreamAnalyzer::process`]
//! allocates nothing as long as the sample rate stays and a batch of several channels is no
//! longer than the size reserved (`tests/analyzers_no_alloc.rs`); a new sample rate rebuilds
//! the pitch analyzers, which allocates.

use super::early::EarlyPitch;
use super::error::ConfigError;
use super::meter::{VolumeConfig, VolumeMeter, VolumeReading, MIN_DB};
use super::pitch::{PitchConfig, PitchDetector, PitchEstimate, RELATIVE_GATE_DB};

/// Options of a [`StreamAnalyzer`]: the `pitch` and `volume` groups of the JS API
/// (`src/dsp/options.rs` builds them from what JavaScript passes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalysisOptions {
    /// The pitch detector's options; `None` for no pitch detection (`pitch: false`).
    pub pitch: Option<PitchConfig>,
    /// The volume meter's options.
    pub volume: VolumeConfig,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            pitch: Some(PitchConfig::default()),
            volume: VolumeConfig::default(),
        }
    }
}

/// Volume and pitch of a stream of batches. See the [module docs](self).
#[derive(Debug)]
pub struct StreamAnalyzer {
    meter: VolumeMeter,
    volume: VolumeReading,
    pitch: Option<PitchDetector>,
    /// Early estimates at onsets (see [`EarlyPitch`]); `None` when off.
    early: Option<EarlyPitch>,
    /// Mono mix of a batch of several channels.
    mono: Vec<f32>,
    /// Estimates of the last batch; capacity fixed by [`StreamAnalyzer::reserve`], never
    /// exceeded.
    estimates: Vec<PitchEstimate>,
    /// Estimates that did not fit (stays 0 while batches are no longer than reserved).
    estimates_dropped: u32,
    /// The early estimate of the last batch, reported after its hop estimates.
    early_estimate: Option<PitchEstimate>,
    /// Whether the detector's latest hop estimate was voiced.
    voiced: bool,
    /// Centre frame of the newest estimate reported (hop or early): an early estimate must
    /// be newer.
    newest_centre: f64,
    analyzed: bool,
}

impl StreamAnalyzer {
    /// A meter and, unless `options.pitch` is `None`, a pitch detector with early
    /// estimates over half its window, all at `sample_rate`. Nothing is reserved yet: call
    /// [`reserve`](Self::reserve) before the first batch.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first bad option: `volume.*`, then `pitch.*` or
    /// `sampleRate`.
    pub fn new(options: AnalysisOptions, sample_rate: f32) -> Result<Self, ConfigError> {
        let meter = VolumeMeter::new(options.volume, sample_rate)?;
        let (pitch, early) = match options.pitch {
            Some(config) => {
                let detector = PitchDetector::new(config, sample_rate)?;
                let early = EarlyPitch::new(config, sample_rate, detector.window_size() / 2)?;
                (Some(detector), early)
            }
            None => (None, None),
        };
        Ok(StreamAnalyzer {
            meter,
            volume: VolumeReading {
                rms: 0.0,
                peak: 0.0,
                db: MIN_DB,
                smoothed_db: MIN_DB,
                non_finite: 0,
            },
            pitch,
            early,
            mono: Vec::new(),
            estimates: Vec::new(),
            estimates_dropped: 0,
            early_estimate: None,
            voiced: false,
            newest_centre: f64::NEG_INFINITY,
            analyzed: false,
        })
    }

    /// Makes room for batches of up to `samples` samples (all channels together): the mono
    /// mix, and a place for every estimate such a batch can give at the current hop size.
    /// Allocates only to grow.
    pub fn reserve(&mut self, samples: usize) {
        if self.mono.len() < samples {
            self.mono.resize(samples, 0.0);
        }
        let hop = self
            .pitch
            .as_ref()
            .map_or(usize::MAX, |p| p.hop_size().max(1));
        let per_batch = samples / hop + 2;
        if self.estimates.capacity() < per_batch {
            self.estimates
                .reserve_exact(per_batch - self.estimates.len());
        }
    }

    /// Hop estimates a batch may report ([`estimates`](Self::estimates)); more are dropped
    /// and counted. An early estimate has its own place on top.
    pub fn estimate_capacity(&self) -> usize {
        self.estimates.capacity()
    }

    /// Analyses one batch: `samples` holds `channels` channels, planar (all of channel 0,
    /// then channel 1, …), of `samples.len() / channels` frames each, the first at stream
    /// frame `start_frame`, at `sample_rate` (the analyzers follow a change of rate).
    /// Several channels are analysed as their mean. Returns whether the analyzers ran: not
    /// for a batch without frames or channels, nor at a rate they cannot use; the results
    /// of the batch before are forgotten either way.
    ///
    /// Allocates only when the sample rate changed or when a batch of several channels is
    /// longer than [`reserve`](Self::reserve) made room for.
    pub fn process(
        &mut self,
        start_frame: f64,
        sample_rate: f32,
        channels: usize,
        samples: &[f32],
    ) -> bool {
        self.analyzed = false;
        self.estimates.clear();
        self.early_estimate = None;
        let frames = samples.len().checked_div(channels).unwrap_or(0);
        if frames == 0 || !self.follow_rate(sample_rate) {
            return false;
        }
        let mono: &[f32] = if channels == 1 {
            &samples[..frames]
        } else {
            if self.mono.len() < frames {
                self.mono.resize(frames, 0.0);
            }
            let scale = 1.0 / channels as f32;
            for (i, out) in self.mono[..frames].iter_mut().enumerate() {
                let mut sum = 0.0;
                for c in 0..channels {
                    sum += samples[c * frames + i];
                }
                *out = sum * scale;
            }
            &self.mono[..frames]
        };
        self.volume = self.meter.process(mono);
        if let Some(p) = self.pitch.as_mut() {
            let out = &mut self.estimates;
            let dropped = &mut self.estimates_dropped;
            let (voiced, newest) = (&mut self.voiced, &mut self.newest_centre);
            p.push(start_frame, mono, &mut |e| {
                *voiced = e.voiced;
                *newest = newest.max(e.centre_frame);
                if out.len() < out.capacity() {
                    out.push(*e);
                } else {
                    *dropped += 1;
                }
            });
            if let Some(early) = self.early.as_mut() {
                early.push(start_frame, mono);
                // Only while the detector is unvoiced (an onset), and only newer than every
                // estimate reported so far.
                if !self.voiced && early.next_centre() > self.newest_centre {
                    let gate = p.voiced_level_db() - RELATIVE_GATE_DB;
                    if let Some(e) = early.estimate().filter(|e| e.voiced && e.db >= gate) {
                        self.newest_centre = e.centre_frame;
                        self.early_estimate = Some(e);
                    }
                }
            }
        }
        self.analyzed = true;
        true
    }

    /// Moves the analyzers to `sample_rate` if they are not there yet; false when they
    /// cannot use it (the batch is then not analysed).
    fn follow_rate(&mut self, sample_rate: f32) -> bool {
        if sample_rate != self.meter.sample_rate()
            && self.meter.set_sample_rate(sample_rate).is_err()
        {
            return false;
        }
        if let Some(p) = self.pitch.as_mut() {
            if sample_rate != p.sample_rate() {
                if p.set_sample_rate(sample_rate).is_err() {
                    return false;
                }
                // Allocates, as the detector's own change of rate does.
                let window = self.early.as_ref().map(EarlyPitch::window_size);
                self.early =
                    window.and_then(|w| EarlyPitch::new(p.config(), sample_rate, w).ok().flatten());
            }
        }
        true
    }

    /// Whether the last [`process`](Self::process) ran the analyzers (else the readings
    /// below are those of an earlier batch, and there are no estimates).
    pub fn analyzed(&self) -> bool {
        self.analyzed
    }

    /// The volume of the last analysed batch.
    pub fn volume(&self) -> VolumeReading {
        self.volume
    }

    /// The detector's estimates completed by the last batch, oldest first.
    pub fn estimates(&self) -> &[PitchEstimate] {
        &self.estimates
    }

    /// The early estimate of the last batch, if it made one: voiced, at an onset (the
    /// detector's latest estimate unvoiced), loud enough for the detector's level gate, and
    /// newer than every estimate before it.
    pub fn early_estimate(&self) -> Option<&PitchEstimate> {
        self.early_estimate.as_ref()
    }

    /// Estimates that did not fit [`estimate_capacity`](Self::estimate_capacity).
    pub fn estimates_dropped(&self) -> u32 {
        self.estimates_dropped
    }

    /// Samples of the early pitch window; 0 when early estimates are off (no pitch
    /// detection, or no early window fits the pitch range).
    pub fn early_window_size(&self) -> usize {
        self.early.as_ref().map_or(0, EarlyPitch::window_size)
    }
}

/// The pitch detector over one whole signal given in chunks, as one stream from frame 0:
/// the estimates equal those of one push of the whole signal (`analyze()` in the JS API
/// pushes about a second at a time and yields to the page in between). Allocates only in
/// [`PitchTrack::new`].
#[derive(Debug)]
pub struct PitchTrack {
    detector: PitchDetector,
    sample_rate: f64,
    frames: f64,
}

impl PitchTrack {
    /// A detector with `config` at `sample_rate`.
    ///
    /// # Errors
    /// [`ConfigError`] naming a bad `pitch.*` option or `sampleRate`.
    pub fn new(config: PitchConfig, sample_rate: f64) -> Result<Self, ConfigError> {
        Ok(PitchTrack {
            detector: PitchDetector::new(config, sample_rate as f32)?,
            sample_rate,
            frames: 0.0,
        })
    }

    /// The next chunk of the signal: `on_estimate` gets each estimate it completes with
    /// the time of its window's centre, in seconds from the first sample.
    pub fn push(&mut self, samples: &[f32], mut on_estimate: impl FnMut(f64, &PitchEstimate)) {
        let rate = self.sample_rate;
        self.detector.push(self.frames, samples, &mut |e| {
            on_estimate(e.centre_frame / rate, e);
        });
        self.frames += samples.len() as f64;
    }
}
