//! The connection layer under abuse: silent, trickling and idle connections are closed by the header
//! timeout; past the bounds a connection gets a 503 at once and a buyer from elsewhere is still served; and
//! under a 1,024-descriptor limit 1,100 silent connections lock nobody out.

use crate::helpers::{capacities, spawn_app_bounded, ServerProcess, TestApp, ADMIN_TOKEN};
use server::{connections::Limits, store::SaleSettings};
use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

/// The address the "other" client connects from: any 127/8 address is this machine.
const FLOODER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

async fn app(limits: Limits) -> TestApp {
    spawn_app_bounded(capacities(5, 5, 5), SaleSettings::default(), 0, Some(ADMIN_TOKEN), limits).await
}

fn address(app: &TestApp) -> SocketAddr {
    app.base.trim_start_matches("http://").parse().expect("the app's address")
}

/// A TCP connection to `to` from `from`.
async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket.bind(SocketAddr::new(from, 0)).expect("bound to the client address");
    socket.connect(to).await.expect("connected")
}

/// Reads until the server closes the connection; returns what it sent, or `None` if it is still open
/// after `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    });
    read.await.ok().map(|()| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_trickling_and_idle_connections_are_closed_by_the_header_timeout() {
    let timeout = Duration::from_secs(1);
    let app = app(Limits { header_timeout: timeout, max_connections: 1_000, max_per_client: 1_000 }).await;
    let to = address(&app);
    let started = Instant::now();

    let mut silent = connect_from(FLOODER, to).await;
    let mut idle = connect_from(FLOODER, to).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let mut slowloris = connect_from(FLOODER, to).await;
    slowloris.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let (mut reader, mut writer) = slowloris.into_split();
    let trickle = tokio::spawn(async move {
        // A header line a third of a second, never the blank line that ends them.
        for n in 0..30 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if writer.write_all(format!("x-trickle-{n}: y\r\n").as_bytes()).await.is_err() {
                return n;
            }
        }
        30
    });

    let silent_end = until_closed(&mut silent, Duration::from_secs(5)).await;
    assert_eq!(silent_end.as_deref(), Some(""), "a silent connection is closed, with nothing sent");
    let idle_end = until_closed(&mut idle, Duration::from_secs(5)).await.expect("an idle connection is closed");
    assert!(idle_end.starts_with("HTTP/1.1 200"), "after its answer: {idle_end}");
    let mut trickled = Vec::new();
    let slow_end = tokio::time::timeout(Duration::from_secs(5), reader.read_to_end(&mut trickled)).await;
    assert!(slow_end.is_ok(), "a slowloris connection is closed though it keeps sending");
    let elapsed = started.elapsed();
    assert!(elapsed >= timeout && elapsed < Duration::from_secs(4), "closed at the timeout: {elapsed:?}");
    let lines = trickle.await.unwrap();
    assert!(lines < 30, "the trickle was cut off (after {lines} lines)");
    // The server itself is fine.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_a_bound_a_connection_gets_503_at_once_and_others_are_still_served() {
    let app = app(Limits { header_timeout: Duration::from_secs(10), max_connections: 8, max_per_client: 3 }).await;
    let to = address(&app);
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from(FLOODER, to).await);
    }
    let mut fourth = connect_from(FLOODER, to).await;
    let refused = until_closed(&mut fourth, Duration::from_secs(2)).await.expect("refused at once, not left waiting");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains(r#""error":"too_many_connections""#), "{refused}");
    assert!(refused.to_lowercase().contains("retry-after: 5"), "{refused}");
    assert_eq!(app.get("/api/tickets").await.status(), 200, "a buyer from another address is served");

    // The total bound: 3 from the flooder, 5 more from elsewhere fill it; the next is refused.
    let others: Vec<IpAddr> = (3..8).map(|n| IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))).collect();
    for from in &others {
        held.push(connect_from(*from, to).await);
    }
    let mut ninth = connect_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9)), to).await;
    let busy = until_closed(&mut ninth, Duration::from_secs(2)).await.expect("refused at once");
    assert!(busy.contains(r#""error":"server_busy""#), "{busy}");

    // They leave; the server recovers by itself.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect_from(FLOODER, to).await;
    again.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
    let answer = until_closed(&mut again, Duration::from_secs(2)).await.expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// The issue's reproduction: the real binary under `ulimit -n 1024`, 1,100 silent connections from one
/// client, and a buyer from another address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_1024_descriptors_1100_silent_connections_lock_no_buyer_out() {
    let own = rlimit::increase_nofile_limit(u64::MAX).expect("the test raises its own open-files limit");
    assert!(own >= 1_400, "the test needs 1,400 descriptors of its own; the hard limit here is {own}");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}/bounded.db", dir.path().display());
    let env = [("BOXOFFICE_HEADER_TIMEOUT_SECONDS", "2"), ("BOXOFFICE_MAX_CONNECTIONS_PER_CLIENT", "256")];
    let server = ServerProcess::start_with(&url, "vip=5,front_row=5,general=5", &env, Some(1_024)).await;
    let to: SocketAddr = format!("127.0.0.1:{}", server.port).parse().unwrap();

    let mut silent = Vec::with_capacity(1_100);
    for _ in 0..1_100 {
        silent.push(connect_from(FLOODER, to).await);
    }
    let buyer = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let answer = buyer.get(server.url("/api/tickets")).send().await.expect("the buyer is answered");
    assert_eq!(answer.status(), 200, "a buyer is served while 1,100 silent connections are open");

    // Every silent connection ends: refused at once past the bound, the rest at the header timeout.
    let started = Instant::now();
    for stream in &mut silent {
        assert!(until_closed(stream, Duration::from_secs(6)).await.is_some(), "a silent connection stays open");
    }
    assert!(started.elapsed() < Duration::from_secs(6), "all closed by the timeout");
    drop(silent);
    let flooder = reqwest::Client::builder().local_address(FLOODER).build().unwrap();
    let again = flooder.get(server.url("/api/tickets")).send().await.expect("the flooder's address is served again");
    assert_eq!(again.status(), 200, "the server recovered by itself");
}
