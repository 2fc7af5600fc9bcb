//! The connection layer: accepting TCP connections and serving HTTP on them, with the bounds a public
//! server needs (axum's own `serve` has none of them).
//!
//! - **Header-read timeout**: a connection must finish each request's headers within
//!   [`Limits::header_timeout`] of it opening, or of its previous response (hyper starts the timer again
//!   once a keep-alive connection falls idle), so a silent connection, a slowloris trickling a byte at a
//!   time and an idle keep-alive connection are all closed by it.
//! - **Bounds**: at most [`Limits::max_connections`] open at once, and [`Limits::max_per_client`] from one
//!   address. Past either, the connection gets an immediate `503` (JSON, `Retry-After`) and is closed, so
//!   the accept loop never stalls and a buyer from elsewhere is still served while one client floods.
//! - The total bound stays below the process's descriptor limit ([`descriptor_budget`]), which is raised
//!   to its hard limit at start, so `accept` does not fail with "too many open files".

use axum::{extract::ConnectInfo, Router};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use std::{
    collections::HashMap,
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::AsyncWriteExt,
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tower::ServiceExt;

/// Descriptors kept for what is not a client connection: the database files and connections, the
/// listener, logs.
pub const RESERVED_DESCRIPTORS: u64 = 128;
/// How long in-flight requests get to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub max_per_client: usize,
}

/// Raises the soft limit on open descriptors to the hard limit, and returns how many client connections
/// fit under it.
pub fn descriptor_budget() -> u64 {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "could not raise the open-files limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft).unwrap_or(1024)
        }
    };
    limit.saturating_sub(RESERVED_DESCRIPTORS)
}

/// Open connections per client address.
#[derive(Default)]
struct Clients(Mutex<HashMap<IpAddr, usize>>);

/// A connection's place under both bounds, given back when the connection ends.
struct Slot {
    clients: Arc<Clients>,
    ip: IpAddr,
    _total: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut clients = self.clients.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(open) = clients.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                clients.remove(&self.ip);
            }
        }
        metrics::gauge!("boxoffice_connections_open").decrement(1.0);
    }
}

/// Why a connection was turned away.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Full,
    Client,
}

fn claim(total: &Arc<Semaphore>, clients: &Arc<Clients>, ip: IpAddr, limits: Limits) -> Result<Slot, Refusal> {
    let permit = total.clone().try_acquire_owned().map_err(|_| Refusal::Full)?;
    let mut open = clients.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mine = open.entry(ip).or_insert(0);
    if *mine >= limits.max_per_client {
        return Err(Refusal::Client);
    }
    *mine += 1;
    metrics::gauge!("boxoffice_connections_open").increment(1.0);
    Ok(Slot { clients: clients.clone(), ip, _total: permit })
}

/// The answer of a connection turned away, written before its request is read (RFC 9110 lets a server
/// answer 503 and close at any time).
async fn refuse(mut stream: TcpStream, why: Refusal) {
    let (code, message) = match why {
        Refusal::Full => ("server_busy", "the server has as many connections open as it can serve; retry shortly"),
        Refusal::Client => ("too_many_connections", "too many connections from your address; close some and retry"),
    };
    metrics::counter!("boxoffice_connections_refused_total", "reason" => code).increment(1);
    let body = serde_json::json!({ "error": code, "message": message }).to_string();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 5\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets requests in flight finish (up to
/// [`SHUTDOWN_GRACE`]).
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let total = Arc::new(Semaphore::new(limits.max_connections));
    let clients = Arc::new(Clients::default());
    let graceful = GracefulShutdown::new();
    // HTTP/1.1 only (no TLS here, so browsers speak nothing else to it): hyper-util's "auto" builder
    // first waits, with no timeout, for bytes telling HTTP/2 from HTTP/1, which a silent connection
    // never sends.
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors despite the bound (something else in the process holds them):
                    // wait a moment rather than spin; connections that end free them.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY, a response written in pieces (streamed SSR, SSE frames) waits on Nagle's
        // algorithm against the client's delayed ACK: ~40 ms per page.
        let _ = stream.set_nodelay(true);
        let slot = match claim(&total, &clients, peer.ip(), limits) {
            Ok(slot) => slot,
            Err(why) => {
                tokio::spawn(refuse(stream, why));
                continue;
            }
        };
        // The client's address is what the rate limit counts by.
        let service = router.clone().map_request(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request
        });
        // No upgrades: nothing here speaks WebSocket; the event stream is plain HTTP.
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!(%error, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after the shutdown grace period; closing them");
    }
}
