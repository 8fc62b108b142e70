//! Helpers shared by both sides of the glue: errors and views over wasm memory.

use js_sys::{Array, Float32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::dsp::error::{ConfigError, Got};

/// A [`ConfigError`] as the JavaScript error the API promises: `TypeError` for a value of
/// the wrong kind, `RangeError` otherwise. The message names the option and what is
/// allowed: `ConfigError`'s `Display` text, put together here so that the number is
/// formatted by JavaScript; Rust's float formatting would add about 15 kB to the wasm.
pub fn config_error(e: ConfigError) -> JsValue {
    let mut head = String::from("pitchtap: ");
    head.push_str(e.option());
    head.push_str(" must be ");
    head.push_str(e.allowed());
    match e.got() {
        Got::Value(value) => {
            let digits = js_sys::Number::from(value)
                .to_string_with_radix(10)
                .map(String::from)
                .unwrap_or_default();
            head.push_str(" (got ");
            head.push_str(&digits);
            head.push(')');
        }
        Got::NonFinite => head.push_str(" (got a non-finite number)"),
        Got::Nothing => {}
    }
    if e.is_type_error() {
        js_sys::TypeError::new(&head).into()
    } else {
        js_sys::RangeError::new(&head).into()
    }
}

/// The slots of a JS array (the options of `crate::dsp::options`, the ledger a
/// `WorkletTap` carries on from): a number where the array holds one, `None` where it holds
/// anything else (a hole: the value was not given). Slots past the array's end are not
/// given.
pub fn option_slots<const N: usize>(values: &Array) -> [Option<f64>; N] {
    let mut slots = [None; N];
    read_slots(values, &mut slots);
    slots
}

// Apart from the generic wrapper so that its code is in the wasm once, not once per size.
#[inline(never)]
fn read_slots(values: &Array, slots: &mut [Option<f64>]) {
    for (i, slot) in slots.iter_mut().enumerate() {
        *slot = values.get(i as u32).as_f64();
    }
}

/// An element type with a JS typed-array twin.
pub trait Element: Copy {
    /// The typed array (`Uint8Array` for `u8`, `Float32Array` for `f32`).
    type View: JsCast;
    /// A view over `region`.
    ///
    /// # Safety
    /// See `js_sys::Uint8Array::view`: valid until memory grows or `region` moves.
    unsafe fn view(region: &[Self]) -> Self::View;
    /// Its byte length (0 once detached by memory growth).
    fn byte_length(view: &Self::View) -> usize;
}

impl Element for u8 {
    type View = Uint8Array;
    unsafe fn view(region: &[u8]) -> Uint8Array {
        unsafe { Uint8Array::view(region) }
    }
    fn byte_length(view: &Uint8Array) -> usize {
        view.byte_length() as usize
    }
}

impl Element for f32 {
    type View = Float32Array;
    unsafe fn view(region: &[f32]) -> Float32Array {
        unsafe { Float32Array::view(region) }
    }
    fn byte_length(view: &Float32Array) -> usize {
        view.byte_length() as usize
    }
}

/// A typed array over a region of wasm memory, re-made only when the region moved or
/// wasm memory grew (which detaches every view over the old memory).
pub struct MemoryView<T: Element> {
    view: Option<T::View>,
    ptr: *const T,
    len: usize,
}

impl<T: Element> MemoryView<T> {
    /// No view yet.
    pub fn new() -> Self {
        MemoryView {
            view: None,
            ptr: core::ptr::null(),
            len: 0,
        }
    }

    /// The view over `region`, for JavaScript to write into or read from with
    /// `TypedArray.prototype.set`. Creates a JS object only on the first call, after the
    /// region moved, or after memory growth detached the old view.
    pub fn over(&mut self, region: &[T]) -> &T::View {
        let bytes = core::mem::size_of_val(region);
        let stale = match &self.view {
            None => true,
            Some(v) => {
                self.ptr != region.as_ptr()
                    || self.len != region.len()
                    || T::byte_length(v) != bytes
            }
        };
        if stale {
            self.ptr = region.as_ptr();
            self.len = region.len();
            // SAFETY: the view is used only for `TypedArray.prototype.set` calls made while
            // the caller holds `&mut` on the region's owner and holds no slice of it, so no
            // other Rust reference to those bytes is alive during the copy; it is re-made
            // whenever the region moves or memory grows, so it never points at freed or
            // detached memory when used.
            self.view = Some(unsafe { T::view(region) });
        }
        self.view.as_ref().expect("set above")
    }

    /// The view made by the last [`Self::over`], without checking it. For use inside a
    /// real-time call that cannot allocate, after `over` was called just before it.
    pub fn current(&self) -> Option<&T::View> {
        self.view.as_ref()
    }
}
