//! Gives memory that a burst of connections freed back to the system.
//!
//! glibc's malloc keeps freed memory in its arenas for reuse: after a flash sale's 10,000 connections
//! (≈ 25 KiB of buffers and task state each) close, the process would hold ≈ 270 MiB it no longer uses, and
//! the page rendered ≈ 20 % slower on the fragmented heap. Every few seconds `malloc_trim` consolidates
//! the free lists and returns whole free pages. It walks every arena under its lock, so it runs on a
//! blocking thread, and not so often that its pauses show in latency (`boxoffice_malloc_trim_seconds`
//! says how long each took).

use std::time::Duration;

/// Starts the trimming job, every `every` (zero: never; and only where the allocator is glibc's).
pub fn start(every: Duration) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if !every.is_zero() {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let started = std::time::Instant::now();
                // SAFETY: malloc_trim only reorganises the allocator's own free memory; it takes the
                // arenas' locks itself and may be called from any thread at any time.
                let _ = tokio::task::spawn_blocking(|| unsafe { libc::malloc_trim(0) }).await;
                metrics::histogram!("boxoffice_malloc_trim_seconds").record(started.elapsed().as_secs_f64());
            }
        });
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = every;
}
