//! The layout of a transferred batch buffer.
//!
//! Every buffer the worklet posts is one `ArrayBuffer` (sent as a `Uint8Array` over all of
//! it) holding a [`HEADER_BYTES`]-byte (96) header followed by the samples, all little-endian:
//!
//! | offset | type | field |
//! |---|---|---|
//! | 0 | u32 | magic `PTAP` (bytes `50 54 41 50`) |
//! | 4 | u16 | layout version ([`VERSION`]) |
//! | 6 | u16 | header length in bytes ([`HEADER_BYTES`]) |
//! | 8 | f64 | `startFrame`: the context frame (`currentFrame`) of the first sample |
//! | 16 | f64 | frames dropped right before this batch (non-zero only with [`flags::GAP`]) |
//! | 24 | f64 | frames dropped since the tap started |
//! | 32 | f64 | sample rate of the context |
//! | 40 | u32 | sequence number (one per posted batch, wrapping) |
//! | 44 | u32 | flags ([`flags`]) |
//! | 48 | u32 | frames in this batch |
//! | 52 | u32 | channels in this batch |
//! | 56 | u32 | pool slot the buffer belongs to |
//! | 60 | u32 | lease: which trip of that slot this is (a return must carry it) |
//! | 64 | u32 | gaps since the tap started |
//! | 68 | u32 | returned buffers the worklet refused since the tap started |
//! | 72 | u16 | pool size (slots that exist now) |
//! | 74 | u16 | buffers in flight when this one was posted (itself included) |
//! | 76 | u32 | batch size in effect for this batch (frames) |
//! | 80 | u32 | times the worklet found no free buffer since the tap started (one per dropped quantum) |
//! | 84 | u16 | fewest free buffers the pool has had (its low-water mark) |
//! | 86 | u16 | reserved, 0 |
//! | 88 | u32 | epoch: which instance of the worklet's wasm posted it (0, then +1 per recovery from a panic) |
//! | 92 | u32 | reserved, 0 |
//! | 96 | f32 × frames × channels | samples, planar: channel 0's frames, then channel 1's, … |
//!
//! The offsets are named in [`offset`]; the JavaScript side reads some of them by the same
//! names (`H_*` in `js/main/constants.js`, checked by `tests/js_mirrors.rs`). Bump
//! [`VERSION`] on any change.

/// `PTAP` read as a little-endian u32.
pub const MAGIC: u32 = u32::from_le_bytes(*b"PTAP");
/// Layout version written at offset 4.
pub const VERSION: u16 = 2;
/// Bytes before the first sample. A multiple of 16 so the samples are f32-aligned.
pub const HEADER_BYTES: usize = 96;

/// Byte offset of each header field (the table in the [module docs](self)). The JavaScript
/// that reads a header by offset names the same ones `H_*` (`js/main/constants.js`;
/// `tests/js_mirrors.rs` checks them).
pub mod offset {
    /// u32: [`MAGIC`](super::MAGIC).
    pub const MAGIC: usize = 0;
    /// u16: layout [`VERSION`](super::VERSION).
    pub const VERSION: usize = 4;
    /// u16: [`HEADER_BYTES`](super::HEADER_BYTES).
    pub const HEADER_LEN: usize = 6;
    /// f64: context frame of the first sample.
    pub const START_FRAME: usize = 8;
    /// f64: frames dropped right before this batch.
    pub const DROPPED_BEFORE: usize = 16;
    /// f64: frames dropped since the tap started.
    pub const DROPPED_TOTAL: usize = 24;
    /// f64: sample rate of the context.
    pub const SAMPLE_RATE: usize = 32;
    /// u32: sequence number.
    pub const SEQ: usize = 40;
    /// u32: [`flags`](super::flags).
    pub const FLAGS: usize = 44;
    /// u32: frames in this batch.
    pub const FRAMES: usize = 48;
    /// u32: channels in this batch.
    pub const CHANNELS: usize = 52;
    /// u32: pool slot.
    pub const SLOT: usize = 56;
    /// u32: lease of the slot for this trip.
    pub const LEASE: usize = 60;
    /// u32: gaps since the start.
    pub const GAPS_TOTAL: usize = 64;
    /// u32: refused returns since the start.
    pub const REFUSED_TOTAL: usize = 68;
    /// u16: pool size.
    pub const POOL_SIZE: usize = 72;
    /// u16: buffers in flight at posting.
    pub const IN_FLIGHT: usize = 74;
    /// u32: batch size in effect.
    pub const BATCH_SIZE: usize = 76;
    /// u32: times the pool was found dry.
    pub const EXHAUSTED: usize = 80;
    /// u16: the pool's low-water mark.
    pub const LOW_WATER: usize = 84;
    /// u16: reserved, 0.
    pub const RESERVED_16: usize = 86;
    /// u32: epoch of the worklet's wasm instance.
    pub const EPOCH: usize = 88;
    /// u32: reserved, 0.
    pub const RESERVED_32: usize = 92;
}

/// Bit flags at offset 44.
pub mod flags {
    /// Fewer frames than the batch size: posted early by a flush, `maxLatencyMs`, a
    /// discontinuity or a configuration change.
    pub const PARTIAL: u32 = 1 << 0;
    /// Posted by an explicit flush (`tap.flush()`, `tap.close()`).
    pub const FLUSHED: u32 = 1 << 1;
    /// Frames were dropped (no free buffer) right before this batch; their count is at
    /// offset 16.
    pub const GAP: u32 = 1 << 2;
    /// Posted early because its first sample reached `maxLatencyMs`.
    pub const LATENCY: u32 = 1 << 3;
    /// The first frame does not follow the previous batch's last one for a reason other
    /// than dropped frames: the input was disconnected, or the context was suspended.
    pub const DISCONTINUITY: u32 = 1 << 4;
    /// The last batch of an OfflineAudioContext's render: it ends at the context's
    /// `length` (posted at once, partial or not; see `TapConfig::render_frames`).
    pub const END: u32 = 1 << 5;
    /// Posted early because a sound started in it (an energy onset) and enough frames
    /// after the onset are in it for an early pitch estimate (see
    /// `QuantumBatcher::set_onset_post`).
    pub const ONSET: u32 = 1 << 6;
}

/// The decoded header of one batch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BatchHeader {
    /// Context frame of the first sample.
    pub start_frame: f64,
    /// Frames dropped right before this batch.
    pub dropped_before: f64,
    /// Frames dropped since the tap started.
    pub dropped_total: f64,
    /// Sample rate of the context.
    pub sample_rate: f64,
    /// Sequence number.
    pub seq: u32,
    /// [`flags`] bits.
    pub flags: u32,
    /// Frames in the batch.
    pub frames: u32,
    /// Channels in the batch.
    pub channels: u32,
    /// Pool slot.
    pub slot: u32,
    /// Lease of the slot for this trip.
    pub lease: u32,
    /// Gaps since the start.
    pub gaps_total: u32,
    /// Refused returns since the start.
    pub refused_total: u32,
    /// Pool size.
    pub pool_size: u16,
    /// Buffers in flight at posting, this one included.
    pub in_flight: u16,
    /// Batch size in effect.
    pub batch_size: u32,
    /// Times the pool was found dry since the start (saturating).
    pub exhausted: u32,
    /// The pool's low-water mark: fewest free buffers so far.
    pub low_water: u16,
    /// Which instance of the worklet's wasm posted this buffer.
    pub epoch: u32,
}

/// Why a byte slice is not a well-formed batch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// Shorter than the header: `(expected at least, got)`.
    TooShort(usize, usize),
    /// The first four bytes are not `PTAP`.
    BadMagic,
    /// A layout version this build does not read: `(expected, got)`.
    BadVersion(u16, u16),
    /// The samples the header announces do not fit: `(bytes needed, bytes present)`.
    Truncated(usize, usize),
}

impl core::fmt::Display for HeaderError {
    #[cold]
    #[inline(never)]
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            HeaderError::TooShort(need, got) => {
                write!(
                    f,
                    "batch buffer of {got} bytes is shorter than the {need}-byte header"
                )
            }
            HeaderError::BadMagic => write!(f, "batch buffer does not start with PTAP"),
            HeaderError::BadVersion(want, got) => {
                write!(f, "batch layout version {got}, expected {want}")
            }
            HeaderError::Truncated(need, got) => {
                write!(f, "batch announces {need} bytes but has {got}")
            }
        }
    }
}

impl std::error::Error for HeaderError {}

fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put_f64(b: &mut [u8], at: usize, v: f64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
fn get_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn get_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn get_f64(b: &[u8], at: usize) -> f64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    f64::from_le_bytes(a)
}

impl BatchHeader {
    /// Bytes of samples this header announces.
    pub fn sample_bytes(&self) -> usize {
        (self.frames as usize)
            .saturating_mul(self.channels as usize)
            .saturating_mul(4)
    }

    /// Writes the header into the first [`HEADER_BYTES`] of `out`.
    ///
    /// # Panics
    /// If `out` is shorter than [`HEADER_BYTES`] (a programmer error: every batch buffer
    /// is sized with the header included).
    pub fn write(&self, out: &mut [u8]) {
        let b = &mut out[..HEADER_BYTES];
        put_u32(b, offset::MAGIC, MAGIC);
        put_u16(b, offset::VERSION, VERSION);
        put_u16(b, offset::HEADER_LEN, HEADER_BYTES as u16);
        put_f64(b, offset::START_FRAME, self.start_frame);
        put_f64(b, offset::DROPPED_BEFORE, self.dropped_before);
        put_f64(b, offset::DROPPED_TOTAL, self.dropped_total);
        put_f64(b, offset::SAMPLE_RATE, self.sample_rate);
        put_u32(b, offset::SEQ, self.seq);
        put_u32(b, offset::FLAGS, self.flags);
        put_u32(b, offset::FRAMES, self.frames);
        put_u32(b, offset::CHANNELS, self.channels);
        put_u32(b, offset::SLOT, self.slot);
        put_u32(b, offset::LEASE, self.lease);
        put_u32(b, offset::GAPS_TOTAL, self.gaps_total);
        put_u32(b, offset::REFUSED_TOTAL, self.refused_total);
        put_u16(b, offset::POOL_SIZE, self.pool_size);
        put_u16(b, offset::IN_FLIGHT, self.in_flight);
        put_u32(b, offset::BATCH_SIZE, self.batch_size);
        put_u32(b, offset::EXHAUSTED, self.exhausted);
        put_u16(b, offset::LOW_WATER, self.low_water);
        put_u16(b, offset::RESERVED_16, 0);
        put_u32(b, offset::EPOCH, self.epoch);
        put_u32(b, offset::RESERVED_32, 0);
    }

    /// Reads and checks a header. Never panics, whatever the bytes: lengths and counts in
    /// the header are checked against `bytes.len()` before anyone trusts them.
    pub fn parse(bytes: &[u8]) -> Result<BatchHeader, HeaderError> {
        if bytes.len() < HEADER_BYTES {
            return Err(HeaderError::TooShort(HEADER_BYTES, bytes.len()));
        }
        if get_u32(bytes, offset::MAGIC) != MAGIC {
            return Err(HeaderError::BadMagic);
        }
        let version = get_u16(bytes, offset::VERSION);
        if version != VERSION || get_u16(bytes, offset::HEADER_LEN) as usize != HEADER_BYTES {
            return Err(HeaderError::BadVersion(VERSION, version));
        }
        let h = BatchHeader {
            start_frame: get_f64(bytes, offset::START_FRAME),
            dropped_before: get_f64(bytes, offset::DROPPED_BEFORE),
            dropped_total: get_f64(bytes, offset::DROPPED_TOTAL),
            sample_rate: get_f64(bytes, offset::SAMPLE_RATE),
            seq: get_u32(bytes, offset::SEQ),
            flags: get_u32(bytes, offset::FLAGS),
            frames: get_u32(bytes, offset::FRAMES),
            channels: get_u32(bytes, offset::CHANNELS),
            slot: get_u32(bytes, offset::SLOT),
            lease: get_u32(bytes, offset::LEASE),
            gaps_total: get_u32(bytes, offset::GAPS_TOTAL),
            refused_total: get_u32(bytes, offset::REFUSED_TOTAL),
            pool_size: get_u16(bytes, offset::POOL_SIZE),
            in_flight: get_u16(bytes, offset::IN_FLIGHT),
            batch_size: get_u32(bytes, offset::BATCH_SIZE),
            exhausted: get_u32(bytes, offset::EXHAUSTED),
            low_water: get_u16(bytes, offset::LOW_WATER),
            epoch: get_u32(bytes, offset::EPOCH),
        };
        let need = HEADER_BYTES.saturating_add(h.sample_bytes());
        if need > bytes.len() {
            return Err(HeaderError::Truncated(need, bytes.len()));
        }
        Ok(h)
    }

    /// Reads only the slot and lease, for the worklet's check of a returned buffer.
    pub fn parse_slot_lease(bytes: &[u8]) -> Result<(u32, u32), HeaderError> {
        if bytes.len() < HEADER_BYTES {
            return Err(HeaderError::TooShort(HEADER_BYTES, bytes.len()));
        }
        if get_u32(bytes, offset::MAGIC) != MAGIC {
            return Err(HeaderError::BadMagic);
        }
        Ok((get_u32(bytes, offset::SLOT), get_u32(bytes, offset::LEASE)))
    }

    /// Reads only the epoch (offset 88): which wasm instance of the worklet posted it.
    pub fn parse_epoch(bytes: &[u8]) -> Result<u32, HeaderError> {
        if bytes.len() < HEADER_BYTES {
            return Err(HeaderError::TooShort(HEADER_BYTES, bytes.len()));
        }
        Ok(get_u32(bytes, offset::EPOCH))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BatchHeader {
        BatchHeader {
            start_frame: 1234567.0,
            dropped_before: 256.0,
            dropped_total: 1024.0,
            sample_rate: 44100.0,
            seq: 7,
            flags: flags::GAP | flags::PARTIAL,
            frames: 3,
            channels: 2,
            slot: 5,
            lease: 99,
            gaps_total: 2,
            refused_total: 1,
            pool_size: 8,
            in_flight: 3,
            batch_size: 1024,
            exhausted: 17,
            low_water: 1,
            epoch: 2,
        }
    }

    #[test]
    fn round_trip() {
        let h = sample();
        let mut b = vec![0u8; HEADER_BYTES + h.sample_bytes()];
        h.write(&mut b);
        assert_eq!(&b[0..4], b"PTAP");
        assert_eq!(BatchHeader::parse(&b), Ok(h));
        assert_eq!(BatchHeader::parse_slot_lease(&b), Ok((5, 99)));
        assert_eq!(BatchHeader::parse_epoch(&b), Ok(2));
    }

    #[test]
    fn offsets_tile_the_header() {
        // (offset, width) in order: each field starts where the previous one ends.
        let fields = [
            (offset::MAGIC, 4),
            (offset::VERSION, 2),
            (offset::HEADER_LEN, 2),
            (offset::START_FRAME, 8),
            (offset::DROPPED_BEFORE, 8),
            (offset::DROPPED_TOTAL, 8),
            (offset::SAMPLE_RATE, 8),
            (offset::SEQ, 4),
            (offset::FLAGS, 4),
            (offset::FRAMES, 4),
            (offset::CHANNELS, 4),
            (offset::SLOT, 4),
            (offset::LEASE, 4),
            (offset::GAPS_TOTAL, 4),
            (offset::REFUSED_TOTAL, 4),
            (offset::POOL_SIZE, 2),
            (offset::IN_FLIGHT, 2),
            (offset::BATCH_SIZE, 4),
            (offset::EXHAUSTED, 4),
            (offset::LOW_WATER, 2),
            (offset::RESERVED_16, 2),
            (offset::EPOCH, 4),
            (offset::RESERVED_32, 4),
        ];
        let mut at = 0;
        for (o, width) in fields {
            assert_eq!(o, at);
            assert_eq!(o % width, 0, "field at {o} is not aligned");
            at += width;
        }
        assert_eq!(at, HEADER_BYTES);
    }

    #[test]
    fn rejects_bad_buffers() {
        let h = sample();
        let mut b = vec![0u8; HEADER_BYTES + h.sample_bytes()];
        h.write(&mut b);
        assert_eq!(
            BatchHeader::parse(&b[..10]),
            Err(HeaderError::TooShort(HEADER_BYTES, 10))
        );
        assert_eq!(
            BatchHeader::parse(&b[..HEADER_BYTES + 4]),
            Err(HeaderError::Truncated(HEADER_BYTES + 24, HEADER_BYTES + 4))
        );
        let mut bad = b.clone();
        bad[0] = b'X';
        assert_eq!(BatchHeader::parse(&bad), Err(HeaderError::BadMagic));
        let mut bad = b.clone();
        bad[4] = 9;
        assert_eq!(
            BatchHeader::parse(&bad),
            Err(HeaderError::BadVersion(VERSION, 9))
        );
        // Absurd counts never overflow or panic.
        let mut bad = b;
        bad[48..52].copy_from_slice(&u32::MAX.to_le_bytes());
        bad[52..56].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            BatchHeader::parse(&bad),
            Err(HeaderError::Truncated(_, _))
        ));
    }
}
