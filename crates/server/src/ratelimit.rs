//! A token bucket per client IP: `rate` requests per second, bursts up to
//! twice that. Small and dependency-free; enough for one server process.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Buckets kept before idle ones are dropped.
const MAX_TRACKED: usize = 10_000;

#[derive(Clone)]
pub(crate) struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl RateLimiter {
    pub(crate) fn new(per_sec: u32) -> RateLimiter {
        RateLimiter {
            rate: f64::from(per_sec),
            burst: f64::from(per_sec) * 2.0,
            buckets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Takes one token for `ip`; false if its bucket is empty.
    pub(crate) fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if b.len() >= MAX_TRACKED && !b.contains_key(&ip) {
            // Drop buckets that have refilled completely: they carry no state.
            let (rate, burst) = (self.rate, self.burst);
            b.retain(|_, (tokens, t)| {
                *tokens + now.duration_since(*t).as_secs_f64() * rate < burst
            });
        }
        let (tokens, last) = b.entry(ip).or_insert((self.burst, now));
        let refill = now.duration_since(*last).as_secs_f64() * self.rate;
        *tokens = (*tokens + refill).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub(crate) async fn limit(
    State(limiter): State<RateLimiter>,
    req: Request,
    next: Next,
) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = ip
        && !limiter.allow(ip, Instant::now())
    {
        let body = serde_json::json!({ "error": "too many requests from this address; slow down" });
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "1")],
            axum::Json(body),
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_empties_and_refills() {
        let l = RateLimiter::new(5);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        let allowed = (0..20).filter(|_| l.allow(ip, t0)).count();
        assert_eq!(allowed, 10);
        assert!(l.allow(other, t0), "buckets are per address");
        // 200 ms at 5 per second refills one token.
        assert!(l.allow(ip, t0 + Duration::from_millis(200)));
        assert!(!l.allow(ip, t0 + Duration::from_millis(200)));
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let l = RateLimiter::new(0);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!((0..1000).all(|_| l.allow(ip, Instant::now())));
    }
}
