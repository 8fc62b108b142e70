//! A counting global allocator for the zero-allocation tests. Each test binary that uses
//! it (`#[path = "common/counting_alloc.rs"] mod counting_alloc;`) gets its own counter
//! and installs it as that binary's `#[global_allocator]`, so the count is real.
//!
//! The count is per thread: a test measures the allocations of the thread it runs on, not
//! those of libtest's main thread, which may allocate at any moment (seen once on a loaded
//! machine: 4 allocations inside a measured loop that makes none).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // `const`-initialised and without a destructor: using it never allocates, so the
    // allocator can touch it.
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: a thread being torn down may still free or allocate; not counted then.
    let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made so far by the calling thread.
pub fn allocations() -> usize {
    ALLOCS.with(Cell::get)
}

/// Fails unless the counting allocator is installed (an allocation on this thread counts).
pub fn assert_counting() {
    let before = allocations();
    let v: Vec<u64> = Vec::with_capacity(16);
    assert!(allocations() > before, "counting allocator not installed");
    drop(v);
}
