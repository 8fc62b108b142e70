//! Offline pitch tracker: prints what a live pitchtap tap would compute for a WAV file.
//!
//! ```text
//! cargo run --release --example pitchtrack -- FILE.wav [--hop-ms 10] [--latency low]
//! cargo run --release --example pitchtrack -- --out-dir DIR FILE.wav... [options]
//! ```
//!
//! Reads 8/16/24/32-bit integer or 32-bit float WAV, any channel count (mixed down by
//! averaging, like the tap's `channels: 'mix'`), 8 to 192 kHz. Prints CSV to stdout:
//! `time_s,f0_hz,clarity`, one row per hop, `time_s` the centre of the analysis window,
//! `f0_hz` 0 when unvoiced. Every option is the library default except the hop when
//! `--hop-ms` is given, and the window and lowest pitch of the tap's `latency: 'low'` with
//! `--latency low`. With `--out-dir DIR`, any number of files, each tracked into
//! `DIR/<file stem>.csv` in one process (the corpus bench: 99 process starts were a tenth of
//! its CPU time). Errors: one line on stderr, exit status 1.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use pitchtap::dsp::pitch::{
    analyze, PitchConfig, LOW_LATENCY_MIN_FREQUENCY, LOW_LATENCY_WINDOW_SECONDS,
};

const USAGE: &str = "usage: pitchtrack [--out-dir DIR] FILE.wav... [--hop-ms MS] [--latency low]";

struct Args {
    paths: Vec<String>,
    out_dir: Option<String>,
    hop_ms: Option<f64>,
    low_latency: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut paths = Vec::new();
    let mut out_dir = None;
    let mut hop_ms = None;
    let mut low_latency = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--hop-ms" => {
                let v = args.next().ok_or("--hop-ms needs a value")?;
                let ms: f64 = v
                    .parse()
                    .map_err(|_| format!("--hop-ms: not a number: {v}"))?;
                if !(ms.is_finite() && ms > 0.0) {
                    return Err(format!("--hop-ms must be above 0 (got {v})"));
                }
                hop_ms = Some(ms);
            }
            "--out-dir" => out_dir = Some(args.next().ok_or("--out-dir needs a directory")?),
            "--latency" => match args.next().as_deref() {
                Some("low") => low_latency = true,
                Some("default") => low_latency = false,
                other => return Err(format!("--latency takes low or default (got {other:?})")),
            },
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}; {USAGE}")),
            _ => paths.push(arg),
        }
    }
    match (paths.len(), &out_dir) {
        (0, _) => Err(USAGE.to_string()),
        (1, _) | (_, Some(_)) => Ok(Args {
            paths,
            out_dir,
            hop_ms,
            low_latency,
        }),
        _ => Err(format!("several files need --out-dir; {USAGE}")),
    }
}

/// Reads a WAV file as mono f32 (channel mean) and its sample rate.
fn read_mono(path: &str) -> Result<(Vec<f32>, u32), String> {
    let mut reader = hound::WavReader::open(path).map_err(|e| format!("{path}: {e}"))?;
    let spec = reader.spec();
    if !(8000..=192_000).contains(&spec.sample_rate) {
        return Err(format!(
            "{path}: sample rate {} Hz is outside 8000 to 192000",
            spec.sample_rate
        ));
    }
    let channels = spec.channels as usize;
    if channels == 0 {
        return Err(format!("{path}: no channels"));
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => {
            if spec.bits_per_sample != 32 {
                return Err(format!(
                    "{path}: {}-bit float is not supported",
                    spec.bits_per_sample
                ));
            }
            reader
                .samples::<f32>()
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{path}: {e}"))?
        }
        hound::SampleFormat::Int if spec.bits_per_sample == 16 => {
            // The common case, read in one go: hound's per-sample iterator took ~100
            // instructions a sample (callgrind), as much as a tenth of the whole run.
            use std::io::Read;
            let count = reader.len() as usize;
            let mut bytes = Vec::with_capacity(2 * count);
            reader
                .into_inner()
                .take(2 * count as u64)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("{path}: {e}"))?;
            if bytes.len() != 2 * count {
                return Err(format!("{path}: data ends before its {count} samples"));
            }
            bytes
                .chunks_exact(2)
                .map(|b| (i16::from_le_bytes([b[0], b[1]]) as f64 / 32768.0) as f32)
                .collect()
        }
        hound::SampleFormat::Int => {
            let bits = spec.bits_per_sample;
            if !matches!(bits, 8 | 16 | 24 | 32) {
                return Err(format!("{path}: {bits}-bit integer PCM is not supported"));
            }
            let scale = 1.0 / (1u64 << (bits - 1)) as f64;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| (v as f64 * scale) as f32))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{path}: {e}"))?
        }
    };
    let mono = if channels == 1 {
        interleaved
    } else {
        interleaved
            .chunks_exact(channels)
            .map(|frame| frame.iter().sum::<f32>() / channels as f32)
            .collect()
    };
    Ok((mono, spec.sample_rate))
}

/// Tracks the file at `path` and writes its CSV to `out`.
fn track(path: &str, args: &Args, out: impl Write) -> Result<(), String> {
    let (samples, rate) = read_mono(path)?;
    let sample_rate = rate as f32;
    let mut config = PitchConfig::default();
    if args.low_latency {
        let window = (LOW_LATENCY_WINDOW_SECONDS * rate as f64).ceil() as usize;
        config.window_size = Some(window.next_power_of_two());
        config.min_frequency = LOW_LATENCY_MIN_FREQUENCY;
    }
    if let Some(ms) = args.hop_ms {
        config.hop_size = Some(((ms * 1e-3 * rate as f64).round() as usize).max(1));
    }
    let mut out = BufWriter::new(out);
    let mut io_error = None;
    let mut write = |line: std::fmt::Arguments<'_>| {
        if io_error.is_none() {
            if let Err(e) = out.write_fmt(line) {
                io_error = Some(e);
            }
        }
    };
    write(format_args!("time_s,f0_hz,clarity\n"));
    analyze(&samples, sample_rate, config, |e| {
        write(format_args!(
            "{:.6},{:.3},{:.4}\n",
            e.centre_frame / rate as f64,
            e.frequency,
            e.clarity
        ));
    })
    .map_err(|e| format!("{path}: {e}"))?;
    if let Some(e) = io_error {
        return Err(format!("{path}: writing: {e}"));
    }
    out.flush().map_err(|e| format!("{path}: writing: {e}"))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let Some(dir) = &args.out_dir else {
        return track(&args.paths[0], &args, std::io::stdout().lock());
    };
    for path in &args.paths {
        let stem = std::path::Path::new(path)
            .file_stem()
            .ok_or_else(|| format!("{path}: no file name"))?;
        let mut name = stem.to_os_string();
        name.push(".csv");
        let csv = std::path::Path::new(dir).join(name);
        let file = std::fs::File::create(&csv).map_err(|e| format!("{}: {e}", csv.display()))?;
        track(path, &args, file)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pitchtrack: {message}");
            ExitCode::FAILURE
        }
    }
}
