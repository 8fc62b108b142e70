//! Book-keeping of the pooled batch buffers.
//!
//! The pool tracks slots, not bytes: the buffers themselves are JavaScript `ArrayBuffer`s
//! held by the glue in a parallel array indexed by slot. Each slot moves through
//! `Free → Filling → InFlight → Free`. Every trip out gets a new *lease* number, written
//! into the buffer's header; a returned buffer is accepted only if its slot is in flight
//! and its lease is that trip's, so a buffer that comes back twice, a stale copy, or a
//! foreign buffer can never be pooled.

/// The state of one pool slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// Owned by the worklet, available.
    Free,
    /// Owned by the worklet, receiving the current batch.
    Filling,
    /// Transferred to the main thread; the worklet must not touch it.
    InFlight,
}

/// Why a returned buffer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReturnError {
    /// The slot number is not a slot of this pool.
    UnknownSlot(u32),
    /// The slot is not in flight (it was already returned, or never left).
    NotInFlight(u32),
    /// The lease does not match the slot's current trip: `(expected, got)`.
    StaleLease(u32, u32),
}

/// Slot states, leases and the counters the stats report.
///
/// Sized at construction for `max_size` slots; nothing allocates afterwards. Taking a free
/// slot, returning one and counting those in flight cost the same whatever the size (an
/// OfflineAudioContext's pool can hold thousands of slots, see `config::offline_pool_size`).
#[derive(Debug, Clone)]
pub struct BufferPool {
    states: Vec<SlotState>,
    leases: Vec<u32>,
    /// Free slots, the next one to take last (capacity `max_size`).
    free_slots: Vec<u32>,
    /// Slots that exist (≤ `states.len()` = the maximum).
    size: usize,
    in_flight: usize,
    low_water: usize,
    exhausted: u64,
}

impl BufferPool {
    /// A pool of `size` slots that may grow to `max_size`.
    ///
    /// # Panics
    /// If `size` is 0 or larger than `max_size` (the config validation rules that out).
    pub fn new(size: usize, max_size: usize) -> Self {
        assert!(
            size >= 1 && size <= max_size,
            "pool size {size} / max {max_size}"
        );
        let mut free_slots = Vec::with_capacity(max_size);
        free_slots.extend((0..size as u32).rev());
        BufferPool {
            states: vec![SlotState::Free; max_size],
            leases: vec![0; max_size],
            free_slots,
            size,
            in_flight: 0,
            low_water: size,
            exhausted: 0,
        }
    }

    /// Takes a free slot for filling (the one freed last, or slot 0 first), growing the
    /// pool by one slot if none is free and the maximum allows. `None` when the pool is dry
    /// (counted in [`Self::exhausted`]).
    pub fn acquire(&mut self) -> Option<usize> {
        let slot = match self.free_slots.pop() {
            Some(i) => i as usize,
            None if self.size < self.states.len() => {
                self.size += 1;
                self.size - 1
            }
            None => {
                self.exhausted += 1;
                return None;
            }
        };
        self.states[slot] = SlotState::Filling;
        self.low_water = self.low_water.min(self.free_slots.len());
        Some(slot)
    }

    /// Marks a filling slot as sent; returns the lease of this trip.
    ///
    /// # Panics
    /// If the slot is not filling (a bug in the batcher).
    pub fn dispatch(&mut self, slot: usize) -> u32 {
        assert_eq!(self.states[slot], SlotState::Filling, "slot {slot}");
        self.states[slot] = SlotState::InFlight;
        self.in_flight += 1;
        self.leases[slot] = self.leases[slot].wrapping_add(1);
        self.leases[slot]
    }

    /// Accepts a returned buffer, or says why not. Never panics, whatever the numbers.
    pub fn release(&mut self, slot: u32, lease: u32) -> Result<(), ReturnError> {
        let i = slot as usize;
        if i >= self.size {
            return Err(ReturnError::UnknownSlot(slot));
        }
        if self.states[i] != SlotState::InFlight {
            return Err(ReturnError::NotInFlight(slot));
        }
        if self.leases[i] != lease {
            return Err(ReturnError::StaleLease(self.leases[i], lease));
        }
        self.states[i] = SlotState::Free;
        self.in_flight -= 1;
        self.free_slots.push(slot);
        Ok(())
    }

    /// The state of a slot (`None` past the current size).
    pub fn state(&self, slot: usize) -> Option<SlotState> {
        (slot < self.size).then(|| self.states[slot])
    }

    /// Slots that exist now.
    pub fn size(&self) -> usize {
        self.size
    }
    /// Slots that may exist at most.
    pub fn max_size(&self) -> usize {
        self.states.len()
    }
    /// Free slots.
    pub fn free(&self) -> usize {
        self.free_slots.len()
    }
    /// Slots on the main thread or on their way.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }
    /// The fewest free slots seen since the start.
    pub fn low_water(&self) -> usize {
        self.low_water
    }
    /// How many times a batch needed a slot and none was free.
    pub fn exhausted(&self) -> u64 {
        self.exhausted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_and_leases() {
        let mut p = BufferPool::new(2, 2);
        let a = p.acquire().unwrap();
        assert_eq!(p.state(a), Some(SlotState::Filling));
        let la = p.dispatch(a);
        assert_eq!(p.state(a), Some(SlotState::InFlight));
        let b = p.acquire().unwrap();
        assert_ne!(a, b);
        let lb = p.dispatch(b);
        assert_eq!(p.acquire(), None);
        assert_eq!(p.exhausted(), 1);
        assert_eq!(p.low_water(), 0);
        assert_eq!(p.in_flight(), 2);
        // A wrong lease, an unknown slot: refused, nothing changes.
        assert_eq!(
            p.release(a as u32, la + 1),
            Err(ReturnError::StaleLease(la, la + 1))
        );
        assert_eq!(p.release(7, la), Err(ReturnError::UnknownSlot(7)));
        assert_eq!(p.release(a as u32, la), Ok(()));
        // The same buffer twice: refused.
        assert_eq!(
            p.release(a as u32, la),
            Err(ReturnError::NotInFlight(a as u32))
        );
        assert_eq!(p.free(), 1);
        // Next trip of slot a has a new lease; the old one is stale.
        let a2 = p.acquire().unwrap();
        assert_eq!(a2, a);
        let la2 = p.dispatch(a2);
        assert_ne!(la2, la);
        assert_eq!(
            p.release(a as u32, la),
            Err(ReturnError::StaleLease(la2, la))
        );
        assert_eq!(p.release(b as u32, lb), Ok(()));
    }

    #[test]
    fn bounded_growth() {
        let mut p = BufferPool::new(1, 3);
        for _ in 0..3 {
            let s = p.acquire().unwrap();
            p.dispatch(s);
        }
        assert_eq!(p.size(), 3);
        assert_eq!(p.acquire(), None);
        assert_eq!(p.size(), 3);
        assert_eq!(p.max_size(), 3);
    }
}
