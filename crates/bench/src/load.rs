//! A closed-loop load generator: N keep-alive HTTP/1.1 connections, each sending its next request as soon
//! as the previous answer is read, until the deadline. Latencies go into one HDR histogram.

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, OnceLock,
    },
    time::{Duration, Instant},
};
use tokio::net::TcpStream;

/// Something made fresh for each request from its sequence number.
pub type PerRequest = Arc<dyn Fn(u64) -> String + Send + Sync>;

/// What each connection sends: the method, path, (for POST) a body that may vary per request, and an
/// `Idempotency-Key` (as the page sends one with every write) if `key` is given.
#[derive(Clone)]
pub struct Target {
    pub method: Method,
    pub path: &'static str,
    pub body: Option<PerRequest>,
    pub key: Option<PerRequest>,
    /// A bearer token for request `n` (a scanner device's, say).
    pub auth: Option<PerRequest>,
}

impl Target {
    pub fn get(path: &'static str) -> Target {
        Target { method: Method::GET, path, body: None, key: None, auth: None }
    }

    fn request(&self, n: u64) -> Request<Full<Bytes>> {
        let body = self.body.as_ref().map(|make| make(n)).unwrap_or_default();
        let mut request = Request::builder()
            .method(self.method.clone())
            .uri(self.path)
            .header("host", "127.0.0.1")
            .header("content-type", "application/json");
        if let Some(key) = &self.key {
            request = request.header("idempotency-key", key(n));
        }
        if let Some(auth) = &self.auth {
            request = request.header("authorization", format!("Bearer {}", auth(n)));
        }
        request.body(Full::new(Bytes::from(body))).expect("a valid request")
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub requests: u64,
    pub by_status: std::collections::BTreeMap<u16, u64>,
    pub transport_errors: u64,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Open loop only: the 99th percentile of how late the generator sent a request after its scheduled
    /// time (its connection still busy with the previous answer, or the generator itself short of CPU).
    pub late_p99_ms: f64,
    /// Open loop only: the 99th percentile from the actual send to the whole answer.
    pub service_p99_ms: f64,
}

impl Report {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn count(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

pub async fn run(addr: SocketAddr, target: Target, connections: usize, duration: Duration) -> Report {
    run_spread(vec![addr], target, connections, duration).await
}

/// [`run`] with the connections spread evenly over several servers (instances behind one load balancer).
pub async fn run_spread(addrs: Vec<SocketAddr>, target: Target, connections: usize, duration: Duration) -> Report {
    let sequence = Arc::new(AtomicU64::new(0));
    let opened = AtomicU64::new(0);
    let deadline = Instant::now() + duration;
    drive(connections, move || {
        let (target, sequence) = (target.clone(), sequence.clone());
        let addr = addrs[opened.fetch_add(1, Ordering::Relaxed) as usize % addrs.len()];
        async move {
            let mut measured = Measured::default();
            let ok = connection_loop(addr, &target, deadline, &sequence, &mut measured).await.is_ok();
            (measured, ok)
        }
    })
    .await
}

/// What one connection measured: latencies and statuses.
struct Measured {
    histogram: Histogram<u64>,
    late: Histogram<u64>,
    service: Histogram<u64>,
    statuses: std::collections::BTreeMap<u16, u64>,
}

impl Default for Measured {
    fn default() -> Self {
        Measured {
            histogram: Histogram::<u64>::new(3).expect("histogram"),
            late: Histogram::<u64>::new(3).expect("histogram"),
            service: Histogram::<u64>::new(3).expect("histogram"),
            statuses: Default::default(),
        }
    }
}

impl Measured {
    fn record(&mut self, since: Instant, status: u16) -> Result<(), ()> {
        self.histogram.record(since.elapsed().as_micros() as u64).map_err(|_| ())?;
        *self.statuses.entry(status).or_insert(0) += 1;
        Ok(())
    }

    fn record_late(&mut self, scheduled: Instant) -> Result<(), ()> {
        self.late.record(scheduled.elapsed().as_micros() as u64).map_err(|_| ())
    }

    fn record_service(&mut self, sent: Instant) -> Result<(), ()> {
        self.service.record(sent.elapsed().as_micros() as u64).map_err(|_| ())
    }
}

/// Runs `connections` connections, each the future `connection()` makes (its measurements, and whether it
/// ended without a transport error), and adds up their measurements.
async fn drive<F, Fut>(connections: usize, connection: F) -> Report
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = (Measured, bool)> + Send + 'static,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections).map(|_| tokio::spawn(connection())).collect();
    let mut all = Measured::default();
    let mut transport_errors = 0;
    for task in tasks {
        let Ok((measured, ok)) = task.await else {
            transport_errors += 1;
            continue;
        };
        transport_errors += u64::from(!ok);
        all.histogram.add(&measured.histogram).expect("same histogram bounds");
        all.late.add(&measured.late).expect("same histogram bounds");
        all.service.add(&measured.service).expect("same histogram bounds");
        for (status, count) in measured.statuses {
            *all.statuses.entry(status).or_insert(0) += count;
        }
    }
    let ms = |q: f64| all.histogram.value_at_quantile(q) as f64 / 1000.0;
    Report {
        requests: all.statuses.values().sum(),
        p50_ms: ms(0.50),
        p95_ms: ms(0.95),
        p99_ms: ms(0.99),
        late_p99_ms: all.late.value_at_quantile(0.99) as f64 / 1000.0,
        service_p99_ms: all.service.value_at_quantile(0.99) as f64 / 1000.0,
        by_status: all.statuses,
        transport_errors,
        elapsed: started.elapsed(),
    }
}

/// One keep-alive HTTP/1.1 connection (Nagle off, as the server's own sockets).
async fn open_connection(addr: SocketAddr) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, ()> {
    let stream = TcpStream::connect(addr).await.map_err(|_| ())?;
    stream.set_nodelay(true).map_err(|_| ())?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|_| ())?;
    tokio::spawn(connection);
    Ok(sender)
}

async fn connection_loop(
    addr: SocketAddr,
    target: &Target,
    deadline: Instant,
    sequence: &AtomicU64,
    measured: &mut Measured,
) -> Result<(), ()> {
    let mut sender = open_connection(addr).await?;
    while Instant::now() < deadline {
        let request = target.request(sequence.fetch_add(1, Ordering::Relaxed));
        sender.ready().await.map_err(|_| ())?;
        let sent = Instant::now();
        let response = sender.send_request(request).await.map_err(|_| ())?;
        let status = response.status().as_u16();
        response.into_body().collect().await.map_err(|_| ())?;
        measured.record(sent, status)?;
    }
    Ok(())
}

/// How a checkout run buys: the tier, whether each request carries an `Idempotency-Key` (as the page's
/// do), and a label that keeps its buyers and keys apart from every other run's.
#[derive(Clone, Copy)]
pub struct Checkout {
    pub tier: &'static str,
    pub keyed: bool,
    pub label: &'static str,
}

/// The checkout flow, closed-loop: each connection holds one ticket for a new buyer, then pays the hold
/// with the approving test card, and goes again; connections spread evenly over `addrs`. A latency is the
/// whole checkout (both requests); statuses are the payments'. Returns the report and how many holds were
/// made.
pub async fn run_checkout(
    addrs: Vec<SocketAddr>,
    how: Checkout,
    connections: usize,
    duration: Duration,
) -> (Report, u64) {
    let sequence = Arc::new(AtomicU64::new(0));
    let holds = Arc::new(AtomicU64::new(0));
    let opened = AtomicU64::new(0);
    let deadline = Instant::now() + duration;
    let counted = holds.clone();
    let report = drive(connections, move || {
        let (sequence, holds) = (sequence.clone(), holds.clone());
        let addr = addrs[opened.fetch_add(1, Ordering::Relaxed) as usize % addrs.len()];
        async move {
            let mut measured = Measured::default();
            let ok = checkout_loop(addr, how, deadline, &sequence, &holds, &mut measured).await.is_ok();
            (measured, ok)
        }
    })
    .await;
    (report, counted.load(Ordering::Relaxed))
}

async fn checkout_loop(
    addr: SocketAddr,
    how: Checkout,
    deadline: Instant,
    sequence: &AtomicU64,
    holds: &AtomicU64,
    measured: &mut Measured,
) -> Result<(), ()> {
    let mut sender = open_connection(addr).await?;
    let Checkout { tier, keyed, label } = how;
    while Instant::now() < deadline {
        let n = sequence.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let hold =
            format!(r#"{{"tier":"{tier}","quantity":1,"name":"Bench","email":"bench-{label}-{n}@example.org"}}"#);
        let key = |step: &str| keyed.then(|| format!("{label}-{step}-{n}"));
        let (status, body) = post(&mut sender, "/api/holds".into(), hold, key("hold")).await?;
        if status != 201 {
            measured.record(started, status)?;
            continue;
        }
        holds.fetch_add(1, Ordering::Relaxed);
        let id = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|hold| hold["id"].as_str().map(str::to_owned));
        let id = id.ok_or(())?;
        let card = r#"{"card_number":"4242424242424242","expiry":"12/35","cvc":"123"}"#.to_owned();
        let (status, _) = post(&mut sender, format!("/api/holds/{id}/payment"), card, key("pay")).await?;
        measured.record(started, status)?;
    }
    Ok(())
}

async fn post(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    path: String,
    body: String,
    key: Option<String>,
) -> Result<(u16, Bytes), ()> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let request = request.body(Full::new(Bytes::from(body))).expect("a valid request");
    sender.ready().await.map_err(|_| ())?;
    let response = sender.send_request(request).await.map_err(|_| ())?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(|_| ())?.to_bytes();
    Ok((status, body))
}

/// Open loop: requests are *scheduled* at a fixed total `rate` per second, spread evenly over
/// `connections` keep-alive connections, and each latency is measured from its scheduled send time, not
/// from when it was sent (as wrk2 and `oha --latency-correction` do): a server that falls behind is charged
/// for the wait of every request queued behind the slow one, which a closed loop hides (there, p99 at
/// saturation is just connections ÷ throughput).
pub async fn run_open(addr: SocketAddr, target: Target, connections: usize, rate: f64, duration: Duration) -> Report {
    // The schedule starts once every connection is open (as wrk2's does): opening a thousand at once takes
    // a while on this machine, and a schedule running meanwhile would count the generator's own ramp as
    // the server's latency.
    let all_open = Arc::new((tokio::sync::Barrier::new(connections), OnceLock::new()));
    let every = Duration::from_secs_f64(connections as f64 / rate);
    let opened = AtomicU64::new(0);
    let report = drive(connections, move || {
        let target = target.clone();
        let connection = opened.fetch_add(1, Ordering::Relaxed);
        let all_open = all_open.clone();
        async move {
            let mut measured = Measured::default();
            let sender = open_connection(addr).await;
            all_open.0.wait().await;
            let start = *all_open.1.get_or_init(|| Instant::now() + Duration::from_millis(50));
            let first = start + Duration::from_secs_f64(connection as f64 / rate);
            let ok = match sender {
                Ok(sender) => open_loop(
                    sender,
                    &target,
                    connection,
                    connections as u64,
                    first,
                    every,
                    start + duration,
                    &mut measured,
                )
                .await
                .is_ok(),
                Err(()) => false,
            };
            (measured, ok)
        }
    })
    .await;
    // The rate achieved over the schedule, not over the schedule and the connections' opening.
    Report { elapsed: duration, ..report }
}

#[allow(clippy::too_many_arguments)]
async fn open_loop(
    mut sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    target: &Target,
    connection: u64,
    connections: u64,
    first: Instant,
    every: Duration,
    deadline: Instant,
    measured: &mut Measured,
) -> Result<(), ()> {
    let mut scheduled = first;
    let mut k = 0;
    while scheduled < deadline {
        tokio::time::sleep_until(scheduled.into()).await;
        let request = target.request(connection + k * connections);
        sender.ready().await.map_err(|_| ())?;
        measured.record_late(scheduled)?;
        let sent = Instant::now();
        let response = sender.send_request(request).await.map_err(|_| ())?;
        let status = response.status().as_u16();
        response.into_body().collect().await.map_err(|_| ())?;
        measured.record_service(sent)?;
        measured.record(scheduled, status)?;
        k += 1;
        scheduled += every;
    }
    Ok(())
}

/// Abusive connections, held until the handles are aborted: `silent` that never send a byte and
/// `slowloris` that trickle a header line every second and never finish.
pub async fn open_abusers(addr: SocketAddr, silent: usize, slowloris: usize) -> Vec<tokio::task::JoinHandle<()>> {
    use tokio::io::AsyncWriteExt;
    let mut held = Vec::with_capacity(silent + slowloris);
    for n in 0..silent + slowloris {
        let Ok(mut stream) = TcpStream::connect(addr).await else { continue };
        held.push(tokio::spawn(async move {
            if n < silent {
                std::future::pending::<()>().await;
            }
            let _ = stream.write_all(b"GET / HTTP/1.1\r\n").await;
            for line in 0.. {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if stream.write_all(format!("x-slow-{line}: y\r\n").as_bytes()).await.is_err() {
                    return;
                }
            }
        }));
    }
    held
}

/// Holds `count` event streams open, reading and discarding what they receive, until dropped.
pub async fn open_event_streams(addr: SocketAddr, path: &str, count: usize) -> Vec<tokio::task::JoinHandle<()>> {
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        let path = path.to_owned();
        streams.push(tokio::spawn(async move {
            let Ok(stream) = TcpStream::connect(addr).await else { return };
            let Ok((mut sender, connection)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await else {
                return;
            };
            tokio::spawn(connection);
            let request = Request::builder()
                .uri(path)
                .header("host", "127.0.0.1")
                .body(Full::new(Bytes::new()))
                .expect("a valid request");
            if let Ok(response) = sender.send_request(request).await {
                let mut body = response.into_body();
                while let Some(Ok(_)) = body.frame().await {}
            }
        }));
    }
    streams
}
