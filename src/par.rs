//! Deterministic parallelism for the build (native only): a map over
//! items on all cores whose result is in item order, whichever thread
//! computed what, so the index bytes never depend on scheduling.

use std::sync::Mutex;

/// Worker threads: one per core.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Applies `f` to every item on up to [`threads`] threads (the calling
/// one among them) and returns the results in item order. Items are
/// handed out one at a time, so a core that other work slows down
/// simply takes fewer. A panic in `f` is resumed on the caller.
pub(crate) fn map<T, R>(
    items: impl IntoIterator<Item = T>,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R>
where
    T: Send,
    R: Send,
{
    let items: Vec<T> = items.into_iter().collect();
    let workers = threads().min(items.len());
    if workers <= 1 {
        return items.into_iter().map(f).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let work = || {
        let mut done = Vec::new();
        loop {
            // A poisoned lock means another worker panicked; its panic is
            // resumed below, so the queue itself is still sound.
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
            match next {
                Some((i, item)) => done.push((i, f(item))),
                None => return done,
            }
        }
    };
    let mut done = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..workers).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for h in helpers {
            match h.join() {
                Ok(d) => done.extend(d),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

/// Runs `a` and `b` side by side (`b` on a thread of its own) and
/// returns both results. A panic in either is resumed on the caller.
pub(crate) fn join<A, B>(
    a: impl FnOnce() -> A,
    b: impl FnOnce() -> B + Send,
) -> (A, B)
where
    B: Send,
{
    if threads() <= 1 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let hb = s.spawn(b);
        let ra = a();
        match hb.join() {
            Ok(rb) => (ra, rb),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_item_order() {
        let got = super::map(0..1000u64, |i| {
            // Uneven work, so threads finish out of order.
            (0..(i % 7) * 1000).fold(i, |a, b| a.wrapping_add(b) % 1_000_003)
        });
        let want: Vec<u64> = (0..1000u64)
            .map(|i| {
                (0..(i % 7) * 1000)
                    .fold(i, |a, b| a.wrapping_add(b) % 1_000_003)
            })
            .collect();
        assert_eq!(got, want);
    }
}
