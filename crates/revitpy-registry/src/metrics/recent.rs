//! The recent past `/api/stats` reports: search latency percentiles and the
//! error rate over the last [`WINDOW`], each in bounded memory.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How far back `/api/stats` looks.
pub const WINDOW: Duration = Duration::from_secs(300);

/// Searches remembered for percentiles: beyond this many within the window,
/// the oldest are dropped (percentiles of the newest 4096).
const MAX_SEARCHES: usize = 4096;

/// Latencies of recent searches, newest last.
pub struct SearchWindow {
    samples: Mutex<VecDeque<(Instant, Duration)>>,
}

impl Default for SearchWindow {
    fn default() -> Self {
        Self { samples: Mutex::new(VecDeque::with_capacity(MAX_SEARCHES)) }
    }
}

/// Search latency over the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchSummary {
    pub count: usize,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

impl SearchWindow {
    pub fn record(&self, elapsed: Duration) {
        let mut samples = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        if samples.len() == MAX_SEARCHES {
            samples.pop_front();
        }
        samples.push_back((Instant::now(), elapsed));
    }

    pub fn summary(&self) -> SearchSummary {
        let now = Instant::now();
        let mut times: Vec<Duration> = {
            let mut samples = self.samples.lock().unwrap_or_else(|p| p.into_inner());
            while samples.front().is_some_and(|(at, _)| now.duration_since(*at) > WINDOW) {
                samples.pop_front();
            }
            samples.iter().map(|(_, d)| *d).collect()
        };
        times.sort_unstable();
        let pick = |q: f64| -> Option<f64> {
            // Nearest rank: the smallest sample with at least q of them at or below it.
            let n = times.len();
            (n > 0).then(|| {
                let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
                times[rank - 1].as_secs_f64() * 1000.0
            })
        };
        SearchSummary { count: times.len(), p50_ms: pick(0.50), p99_ms: pick(0.99) }
    }
}

/// Answers per second over the window: one bucket per second, at most
/// `WINDOW` seconds of them.
pub struct ErrorWindow {
    started: Instant,
    buckets: Mutex<VecDeque<Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    second: u64,
    requests: u64,
    client_errors: u64,
    server_errors: u64,
}

impl Default for ErrorWindow {
    fn default() -> Self {
        Self { started: Instant::now(), buckets: Mutex::new(VecDeque::with_capacity(WINDOW.as_secs() as usize + 1)) }
    }
}

/// Answers over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorSummary {
    pub requests: u64,
    pub client_errors: u64,
    pub server_errors: u64,
}

impl ErrorWindow {
    pub fn record(&self, status: u16) {
        let second = self.started.elapsed().as_secs();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.back().is_none_or(|b| b.second != second) {
            buckets.push_back(Bucket { second, requests: 0, client_errors: 0, server_errors: 0 });
            Self::expire(&mut buckets, second);
        }
        let b = buckets.back_mut().expect("pushed above");
        b.requests += 1;
        match status {
            400..=499 => b.client_errors += 1,
            500..=599 => b.server_errors += 1,
            _ => {}
        }
    }

    fn expire(buckets: &mut VecDeque<Bucket>, now: u64) {
        while buckets.front().is_some_and(|b| b.second + WINDOW.as_secs() <= now) {
            buckets.pop_front();
        }
    }

    pub fn summary(&self) -> ErrorSummary {
        let now = self.started.elapsed().as_secs();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        Self::expire(&mut buckets, now);
        buckets.iter().fold(ErrorSummary { requests: 0, client_errors: 0, server_errors: 0 }, |s, b| ErrorSummary {
            requests: s.requests + b.requests,
            client_errors: s.client_errors + b.client_errors,
            server_errors: s.server_errors + b.server_errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let w = SearchWindow::default();
        assert_eq!(w.summary(), SearchSummary { count: 0, p50_ms: None, p99_ms: None });
        for ms in 1..=100 {
            w.record(Duration::from_millis(ms));
        }
        let s = w.summary();
        assert_eq!(s.count, 100);
        assert_eq!(s.p50_ms, Some(50.0));
        assert_eq!(s.p99_ms, Some(99.0));
    }

    #[test]
    fn the_search_window_is_bounded() {
        let w = SearchWindow::default();
        for _ in 0..MAX_SEARCHES + 10 {
            w.record(Duration::from_millis(1));
        }
        assert_eq!(w.summary().count, MAX_SEARCHES);
    }

    #[test]
    fn errors_are_counted_by_class() {
        let w = ErrorWindow::default();
        for status in [200, 404, 422, 500, 503, 304] {
            w.record(status);
        }
        assert_eq!(w.summary(), ErrorSummary { requests: 6, client_errors: 2, server_errors: 2 });
    }
}
