//! Decoders Shoebox did not write (usvg, tiny-skia, libjpeg, libwebp, the `image` crate) can
//! panic on a strange file. Where one runs in the app's own process it runs under
//! [`quietly`]: its panic costs that file's picture or size only, and it is not printed on
//! the user's terminal (a message and a backtrace there would say the app crashed when it
//! did not). Panics anywhere else are printed as before.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// How many [`quietly`] calls this thread is inside.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
}

/// Runs `decode`; a panic in it is caught, not printed, and told as an error message.
pub fn quietly<T>(decode: impl FnOnce() -> T) -> Result<T, String> {
    keep_caught_panics_quiet();
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = std::panic::catch_unwind(AssertUnwindSafe(decode));
    CATCHING.with(|c| c.set(c.get().saturating_sub(1)));
    result.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(std::string::ToString::to_string)
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the decoder failed on this file ({what})")
    })
}

/// Puts a panic hook in front of the one in place (once per process, at the first
/// [`quietly`]) that says nothing for a panic [`quietly`] catches and hands every other
/// panic to the hook before it. A hook the app sets later would replace it: one set at
/// start-up comes first and is kept behind this one.
fn keep_caught_panics_quiet() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if CATCHING.with(std::cell::Cell::get) == 0 {
                before(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_is_an_error_with_its_message_and_the_thread_goes_on() {
        let caught = quietly(|| -> u32 { panic!("a strange file") });
        assert_eq!(
            caught,
            Err("the decoder failed on this file (a strange file)".to_string())
        );
        assert_eq!(quietly(|| 7), Ok(7));
        // Outside `quietly` the count is back to none.
        assert_eq!(CATCHING.with(std::cell::Cell::get), 0);
    }
}
