//! `make bench`: starts the release server on a fresh temporary database with large capacities, drives it
//! over loopback with the closed-loop generator in `load.rs`, prints one table and writes it to
//! `bench/RESULTS.md`. Figures, never assertions: these machines are shared and noisy. The only checks are
//! of correctness: every 201 is a sold ticket, and `sold + available == capacity`.

mod door;
mod flash_sale;
mod load;

use clap::Parser;
use load::{Checkout, Report, Target};
use std::{fmt::Write as _, io::Write as _, net::SocketAddr, path::PathBuf, process::Stdio, sync::Arc, time::Duration};
use tokio::process::{Child, Command};

#[derive(Parser)]
struct Args {
    /// The release server binary (built by `cargo leptos build --release`).
    #[arg(long, default_value = "target/release/boxoffice")]
    server: PathBuf,
    #[arg(long, default_value = "target/site")]
    site_root: PathBuf,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    #[arg(long, default_value = "bench/RESULTS.md")]
    out: PathBuf,
    #[arg(long, default_value = "127.0.0.1:3900")]
    addr: SocketAddr,
    /// Event streams held open in the live-updates scenario.
    #[arg(long, default_value_t = 5000)]
    streams: usize,
    /// Only drive `GET` of this path (for `--seconds`, at `--connections`) and print its figures: for
    /// profiling with `perf` or watching memory.
    #[arg(long)]
    only_get: Option<String>,
    /// Connections for `--only-get`.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Only drive bookings at this many connections (for `--seconds`) and print the figures: for profiling.
    #[arg(long)]
    only_bookings: Option<usize>,
    /// With `--only-bookings`: VIP bookings, each with its own `Idempotency-Key` (the page's path).
    #[arg(long)]
    keyed: bool,
    /// Only drive keyed VIP checkouts (hold, then pay) at this many connections, and print the figures.
    #[arg(long)]
    only_checkout: Option<usize>,
    /// Only drive bookings at 64 connections without, then with, `--streams` event streams open, and print
    /// both: for profiling the live feed's cost.
    #[arg(long)]
    only_streams: bool,
    /// Only drive the open-loop row (keyed VIP bookings at 3,000/s over 1,024 connections) and print it.
    #[arg(long)]
    only_open: bool,
    /// With `--only-open`: first book for this many seconds at 1,024 connections, so the database has
    /// grown as it has by the full run's open-loop row.
    #[arg(long, default_value_t = 0)]
    prefill: u64,
    /// A PostgreSQL server (a URL naming its `postgres` database) for the scale-out rows: bookings on one
    /// instance and on three sharing one database. `make bench` starts a throwaway durable cluster for it.
    #[arg(long)]
    postgres: Option<String>,
    /// The flash sale: pages following the live feed while it runs.
    #[arg(long, default_value_t = 10_000)]
    flash_pages: usize,
    /// The flash sale: buyers, arriving open-loop at `--flash-rate` a second from the opening.
    #[arg(long, default_value_t = 20_000)]
    flash_buyers: usize,
    #[arg(long, default_value_t = 2_000.0)]
    flash_rate: f64,
    /// Only run the flash sale and print its report.
    #[arg(long)]
    only_flash: bool,
    /// Only run the seat holds (with a healthz run for their ratio) and print their report.
    #[arg(long)]
    only_seats: bool,
    /// Only run the door's redeems (with a healthz run for their ratio) and print their report.
    #[arg(long)]
    only_door: bool,
}

const CAPACITY: u64 = 50_000_000;

struct Row {
    scenario: String,
    connections: usize,
    report: Report,
    /// Share of the machine's cores the server used during the run; the load generator had the rest.
    server_cpu: Option<f64>,
    note: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let duration = Duration::from_secs(args.seconds);
    let data = tempfile::tempdir()?;
    let addr = args.addr;
    let sqlite = format!("sqlite://{}/bench.db", data.path().display());
    let mut server = start_server(&args, &sqlite, addr).await?;
    let mut rows = Vec::new();
    // One scenario alone, for `perf` or watching memory: figures printed, no table.
    let single = match (&args.only_get, args.only_bookings) {
        // The CLI's one path lives as long as the process anyway.
        (Some(path), _) => Some((format!("GET {path}"), Target::get(path.clone().leak()), args.connections)),
        (None, Some(connections)) if args.keyed => {
            Some(("keyed VIP bookings".to_owned(), keyed_vip_target("only", connections), connections))
        }
        (None, Some(connections)) => Some(("bookings".to_owned(), booking_target(connections), connections)),
        (None, None) => None,
    };
    if args.only_seats {
        let healthz = get_row(&server, addr, "/healthz", 64, duration, "GET /healthz", "").await;
        let _ = server.kill().await;
        let section = seats_section(&args, data.path(), addr, healthz.report.rate(), duration).await?;
        println!("healthz {:.0}/s{section}", healthz.report.rate());
        return Ok(());
    }
    if args.only_door {
        let healthz = get_row(&server, addr, "/healthz", 64, duration, "GET /healthz", "").await;
        let _ = server.kill().await;
        let section = door::door_section(&args, data.path(), addr, healthz.report.rate(), duration).await?;
        println!("healthz {:.0}/s{section}", healthz.report.rate());
        return Ok(());
    }
    if args.only_flash {
        let _ = server.kill().await;
        let section = flash_section(&args, data.path(), addr).await?;
        println!("{section}");
        return Ok(());
    }
    if args.only_open {
        println!("server pid {:?}", server.id());
        if args.prefill > 0 {
            let filled = load::run(addr, booking_target(1024), 1024, Duration::from_secs(args.prefill)).await;
            println!("prefilled: {} bookings", filled.count(201));
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        let target = keyed_vip_target("open", OPEN_CONNECTIONS);
        let (report, cpu) =
            measured(&server, load::run_open(addr, target, OPEN_CONNECTIONS, OPEN_RATE, duration)).await;
        println!(
            "open loop at {OPEN_RATE}/s: {:.0}/s, p50 {} ms, p95 {} ms, p99 {} ms, sent late p99 {} ms, answered p99 {} ms from the send, server CPU {cpu:?}",
            report.rate(),
            report.p50_ms,
            report.p95_ms,
            report.p99_ms,
            report.late_p99_ms,
            report.service_p99_ms
        );
        println!(
            "{}",
            http_get(addr, "/metrics")
                .await
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("write_phase")
                    || l.contains("write_batch_size")
                    || (l.contains("http_request_duration") && l.contains("bookings")))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let _ = server.kill().await;
        return Ok(());
    }
    if args.only_streams {
        println!("server pid {:?}", server.id());
        let (without, _) = measured(&server, load::run(addr, booking_target(64), 64, duration)).await;
        let streams = load::open_event_streams(addr, "/api/events", args.streams).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (with, cpu) = measured(&server, load::run(addr, booking_target(64), 64, duration)).await;
        println!(
            "bookings at 64: {:.0}/s without streams, {:.0}/s with {} open ({:.2}), server CPU {cpu:?}",
            without.rate(),
            with.rate(),
            args.streams,
            with.rate() / without.rate()
        );
        for stream in streams {
            stream.abort();
        }
        let _ = server.kill().await;
        return Ok(());
    }
    if let Some(connections) = args.only_checkout {
        println!("server pid {:?}", server.id());
        let how = Checkout { tier: "vip", keyed: true, label: "only" };
        let ((report, holds), cpu) = measured_checkout(&server, vec![addr], how, connections, duration).await;
        println!(
            "keyed VIP checkout at {connections}: {:.0} sales/s, {holds} holds, p50 {} ms, p99 {} ms, server CPU {cpu:?}",
            report.count(201) as f64 / report.elapsed.as_secs_f64(),
            report.p50_ms,
            report.p99_ms
        );
        let _ = server.kill().await;
        return Ok(());
    }
    if let Some((label, target, connections)) = single {
        println!("server pid {:?}", server.id());
        let (report, cpu) = measured(&server, load::run(addr, target, connections, duration)).await;
        println!(
            "{label} at {connections}: {:.0}/s, p50 {} ms, p99 {} ms, server CPU {cpu:?}, peak RSS {:?} KiB",
            report.rate(),
            report.p50_ms,
            report.p99_ms,
            rss_kib(&server, "VmHWM:")
        );
        let _ = server.kill().await;
        return Ok(());
    }

    let healthz = get_row(&server, addr, "/healthz", 64, duration, "GET /healthz", "the HTTP ceiling").await;
    let healthz_rate = healthz.report.rate();
    rows.push(healthz);
    rows.push(get_row(&server, addr, "/api/tickets", 64, duration, "GET /api/tickets", "").await);
    rows.push(get_row(&server, addr, "/", 64, duration, PAGE, "a fresh server").await);

    let mut created = 0;
    let mut peak_to_1024 = None;
    for connections in [64, 1024, 10_000] {
        let (report, cpu) =
            measured(&server, load::run(addr, booking_target(connections), connections, duration)).await;
        created += report.count(201);
        let note = format!("{:.2} × healthz", report.rate() / healthz_rate);
        rows.push(Row { scenario: "POST /api/bookings".into(), connections, report, server_cpu: cpu, note });
        if connections == 1024 {
            peak_to_1024 = rss_kib(&server, "VmHWM:");
        }
    }

    // The path buyers really take: VIP (4 per buyer), every request with an Idempotency-Key, as the page's.
    let mut vip_taken = 0;
    for connections in [64, 1024] {
        let target = keyed_vip_target("closed", connections);
        let (report, cpu) = measured(&server, load::run(addr, target, connections, duration)).await;
        vip_taken += report.count(201);
        let note = format!("{:.2} × healthz", report.rate() / healthz_rate);
        rows.push(Row { scenario: KEYED_BOOKINGS.into(), connections, report, server_cpu: cpu, note });
    }

    // The same load through the checkout: hold, then pay (two requests per sale).
    let plain = Checkout { tier: "front_row", keyed: false, label: "plain" };
    let (row, holds_made) = checkout_row(&server, addr, plain, 64, duration, healthz_rate, PLAIN_CHECKOUT).await;
    rows.push(row);
    let front_row_taken = taken(addr, "front_row").await?;
    if front_row_taken != holds_made {
        return Err(format!("checkout: {front_row_taken} Front Row tickets taken, {holds_made} holds made").into());
    }
    for connections in [64, 1024] {
        let keyed = Checkout { tier: "vip", keyed: true, label: if connections == 64 { "k64" } else { "k1024" } };
        let (row, holds) = checkout_row(&server, addr, keyed, connections, duration, healthz_rate, CHECKOUT).await;
        vip_taken += holds;
        rows.push(row);
    }

    // Open loop: a fixed arrival rate, latency from each request's scheduled time.
    let target = keyed_vip_target("open", OPEN_CONNECTIONS);
    let (report, cpu) = measured(&server, load::run_open(addr, target, OPEN_CONNECTIONS, OPEN_RATE, duration)).await;
    vip_taken += report.count(201);
    let note = format!(
        "{OPEN_RATE:.0}/s scheduled; latency from the scheduled send time; p99 {:.1} ms from the actual send, sent late p99 {:.1} ms",
        report.service_p99_ms, report.late_p99_ms
    );
    rows.push(Row { scenario: OPEN_LOOP.into(), connections: OPEN_CONNECTIONS, report, server_cpu: cpu, note });
    let vip_counted = taken(addr, "vip").await?;
    if vip_counted != vip_taken {
        return Err(format!("VIP: {vip_counted} tickets taken, {vip_taken} answered booked or held").into());
    }

    // The same load just before the streams open, on the database as it now is: compared with the first
    // bookings row, the streams' row would also pay for the rows every run since has added.
    let (report, cpu) = measured(&server, load::run(addr, booking_target(64), 64, duration)).await;
    created += report.count(201);
    let note = format!("just before the streams open; {:.2} × healthz", report.rate() / healthz_rate);
    rows.push(Row { scenario: BEFORE_STREAMS.into(), connections: 64, report, server_cpu: cpu, note });
    let rss_without_streams = rss_kib(&server, "VmRSS:");
    let streams = load::open_event_streams(addr, "/api/events", args.streams).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_with_streams = rss_kib(&server, "VmRSS:");
    let (report, cpu) = measured(&server, load::run(addr, booking_target(64), 64, duration)).await;
    created += report.count(201);
    let note = format!("{} event streams open; {:.2} × healthz", args.streams, report.rate() / healthz_rate);
    rows.push(Row {
        scenario: "POST /api/bookings + live streams".into(),
        connections: 64,
        report,
        server_cpu: cpu,
        note,
    });
    for stream in streams {
        stream.abort();
    }

    // Under abuse: silent and slowloris connections held open (well within the header timeout) while
    // buyers book.
    let abusers = load::open_abusers(addr, SILENT, SLOWLORIS).await;
    let (report, cpu) = measured(&server, load::run(addr, booking_target(64), 64, duration)).await;
    created += report.count(201);
    let note = format!(
        "{} silent + {SLOWLORIS} slowloris connections open; {:.2} × healthz",
        abusers.len().saturating_sub(SLOWLORIS),
        report.rate() / healthz_rate
    );
    rows.push(Row {
        scenario: "POST /api/bookings + abusive connections".into(),
        connections: 64,
        report,
        server_cpu: cpu,
        note,
    });
    for abuser in abusers {
        abuser.abort();
    }

    rows.push(get_row(&server, addr, "/", 64, duration, PAGE, "after all the runs above").await);

    let (sold, conserved) = check_stock(addr).await?;
    let peak_rss = rss_kib(&server, "VmHWM:");
    // Idle long enough for the allocator to give back what the runs freed (jemalloc's decay: 10 s).
    tokio::time::sleep(Duration::from_secs(15)).await;
    let rss_idle = rss_kib(&server, "VmRSS:");
    let _ = server.kill().await;

    // What a server answers at many connections when the handler does nothing: the floor under the
    // bookings' latency (Little's law: connections ÷ rate is the mean wait). A server of its own, so the
    // rows above keep their memory figures.
    let mut server = start_server(&args, &sqlite, addr).await?;
    for connections in [1024, 10_000] {
        let note = "the HTTP floor at this many connections (a server of its own)";
        rows.push(get_row(&server, addr, "/healthz", connections, duration, "GET /healthz", note).await);
    }
    let _ = server.kill().await;

    if let Some(postgres) = &args.postgres {
        for instances in [1, 3] {
            rows.extend(postgres_rows(&args, postgres, instances, duration, healthz_rate).await?);
        }
    }

    let seats = seats_section(&args, data.path(), addr, healthz_rate, duration).await?;
    let door = door::door_section(&args, data.path(), addr, healthz_rate, duration).await?;
    let flash = flash_section(&args, data.path(), addr).await?;
    let wasm = wasm_sizes(&args.site_root)?;
    let memory = Memory {
        idle: rss_idle,
        peak: peak_rss,
        peak_to_1024,
        without_streams: rss_without_streams,
        with_streams: rss_with_streams,
    };
    let table = render(&rows, created, sold, conserved, &memory, wasm) + &seats + &door + &flash;
    println!("{table}");
    if let Some(folder) = args.out.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(&args.out, table)?;
    println!("written to {}", args.out.display());
    if created != sold || !conserved {
        return Err("correctness check failed: see the table".into());
    }
    Ok(())
}

const PAGE: &str = "GET / (server-rendered)";
const KEYED_BOOKINGS: &str = "POST /api/bookings, VIP, with keys";
const PLAIN_CHECKOUT: &str = "POST /api/holds, then payment";
const CHECKOUT: &str = "checkout: VIP hold + pay, with keys";
const OPEN_LOOP: &str = "open loop: POST /api/bookings, VIP, with keys";
const OPEN_RATE: f64 = 3000.0;
const SILENT: usize = 2_000;
const SLOWLORIS: usize = 200;
const OPEN_CONNECTIONS: usize = 1024;

/// A checkout run as a row: sales (paid holds) per second against healthz. Returns the holds made too.
async fn checkout_row(
    server: &Child,
    addr: SocketAddr,
    how: Checkout,
    connections: usize,
    duration: Duration,
    healthz_rate: f64,
    scenario: &str,
) -> (Row, u64) {
    let (report, cpu) = measured_checkout(server, vec![addr], how, connections, duration).await;
    (
        Row {
            scenario: scenario.into(),
            connections,
            note: sales_note(&report.0, report.1, healthz_rate),
            report: report.0,
            server_cpu: cpu,
        },
        report.1,
    )
}

async fn measured_checkout(
    server: &Child,
    addrs: Vec<SocketAddr>,
    how: Checkout,
    connections: usize,
    duration: Duration,
) -> ((Report, u64), Option<f64>) {
    let mut holds = 0;
    let run = async {
        let (report, made) = load::run_checkout(addrs, how, connections, duration).await;
        holds = made;
        report
    };
    let (report, cpu) = measured(server, run).await;
    ((report, holds), cpu)
}

fn sales_note(report: &Report, holds: u64, healthz_rate: f64) -> String {
    let sales = report.count(201) as f64 / report.elapsed.as_secs_f64();
    format!("hold + pay per sale: {sales:.0} sales/s ({:.2} × healthz); {holds} holds", sales / healthz_rate)
}

/// `GET path` from `connections` connections for `duration`, as a row of the table.
async fn get_row(
    server: &Child,
    addr: SocketAddr,
    path: &'static str,
    connections: usize,
    duration: Duration,
    scenario: &str,
    note: &str,
) -> Row {
    let (report, server_cpu) = measured(server, load::run(addr, Target::get(path), connections, duration)).await;
    Row { scenario: scenario.into(), connections, report, server_cpu, note: note.into() }
}

/// Bookings, then keyed VIP checkouts, at 64 connections spread over `instances` servers on one new
/// PostgreSQL database; fails if the 201s and the tickets taken disagree.
async fn postgres_rows(
    args: &Args,
    server_url: &str,
    instances: u16,
    duration: Duration,
    healthz_rate: f64,
) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    use sqlx::{Connection, Executor};
    let name = format!("bench_{instances}_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(server_url).await?;
    admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await?;
    let (base, _) = server_url.rsplit_once('/').ok_or("a PostgreSQL URL ends in /database")?;
    let database = format!("{base}/{name}");
    let mut servers = Vec::new();
    let mut addrs = Vec::new();
    for n in 0..instances {
        let addr = SocketAddr::new(args.addr.ip(), args.addr.port() + 1 + n);
        servers.push(start_server(args, &database, addr).await?);
        addrs.push(addr);
    }
    let (report, _) = measured(&servers[0], load::run_spread(addrs.clone(), booking_target(64), 64, duration)).await;
    let sold = taken(addrs[0], "general").await?;
    let how = Checkout { tier: "vip", keyed: true, label: "pg" };
    let ((checkout, holds), _) = measured_checkout(&servers[0], addrs.clone(), how, 64, duration).await;
    let vip = taken(addrs[0], "vip").await?;
    for mut server in servers {
        let _ = server.kill().await;
    }
    if sold != report.count(201) || vip != holds {
        return Err(format!(
            "PostgreSQL, {instances} instances: {} answered 201, {sold} sold; {holds} holds, {vip} VIP taken",
            report.count(201)
        )
        .into());
    }
    let note =
        format!("{:.2} × healthz; every instance's writer on one database; 201s = sold", report.rate() / healthz_rate);
    let plural = if instances == 1 { "" } else { "s" };
    let scenario = format!("POST /api/bookings, PostgreSQL, {instances} instance{plural}");
    let bookings = Row { scenario, connections: 64, report, server_cpu: None, note };
    let note = format!("{}; holds = VIP taken", sales_note(&checkout, holds, healthz_rate));
    let scenario = format!("{CHECKOUT}, PostgreSQL, {instances} instance{plural}");
    Ok(vec![bookings, Row { scenario, connections: 64, report: checkout, server_cpu: None, note }])
}

async fn start_server(args: &Args, database_url: &str, addr: SocketAddr) -> Result<Child, Box<dyn std::error::Error>> {
    start_server_with(args, database_url, addr, &[]).await
}

/// [`start_server`] with more environment.
async fn start_server_with(
    args: &Args,
    database_url: &str,
    addr: SocketAddr,
    env: &[(&str, &str)],
) -> Result<Child, Box<dyn std::error::Error>> {
    let server = Command::new(&args.server)
        .envs(env.iter().copied())
        .env("LEPTOS_SITE_ADDR", addr.to_string())
        .env("LEPTOS_SITE_ROOT", &args.site_root)
        .env("DATABASE_URL", database_url)
        .env("BOXOFFICE_CAPACITY", format!("vip={CAPACITY},front_row={CAPACITY},general={CAPACITY}"))
        .env("BOXOFFICE_RATE_LIMIT", "0")
        // The buyers' mails as files beside the bench's databases.
        .env("BOXOFFICE_OUTBOX_DIR", "bench/.tmp/outbox")
        // Every bench connection comes from this machine's one address.
        .env("BOXOFFICE_MAX_CONNECTIONS_PER_CLIENT", "100000")
        .env("BOXOFFICE_MAX_CONNECTIONS", "100000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the server did not start".into())
}

/// One ticket each, all on General Admission, every request from a different buyer.
fn booking_target(connections: usize) -> Target {
    Target {
        method: hyper::Method::POST,
        path: "/api/bookings",
        body: Some(Arc::new(move |n| {
            format!(r#"{{"user_id":"bench-{connections}-{n}","tier":"general","quantity":1}}"#)
        })),
        key: None,
        auth: None,
    }
}

/// One VIP ticket each (a tier with a per-buyer limit), every request from a different buyer and with
/// its own `Idempotency-Key`; `label` keeps buyers and keys apart from other runs'.
fn keyed_vip_target(label: &'static str, connections: usize) -> Target {
    Target {
        method: hyper::Method::POST,
        path: "/api/bookings",
        body: Some(Arc::new(move |n| {
            format!(r#"{{"user_id":"vip-{label}-{connections}-{n}","tier":"vip","quantity":1}}"#)
        })),
        key: Some(Arc::new(move |n| format!("book-{label}-{connections}-{n}"))),
        auth: None,
    }
}

/// Tickets of `tier` sold or held, as the API reports them (capacity − available).
async fn taken(addr: SocketAddr, tier: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let tiers: Vec<serde_json::Value> = serde_json::from_str(&http_get(addr, "/api/tickets").await?)?;
    let row = tiers.iter().find(|t| t["tier"] == tier).ok_or("tier missing")?;
    Ok(row["capacity"].as_u64().unwrap_or(0) - row["available"].as_u64().unwrap_or(0))
}

/// General Admission's sold count as the API reports it, and whether every tier conserves its tickets
/// (`available <= capacity` and the counts the API shows add up).
async fn check_stock(addr: SocketAddr) -> Result<(u64, bool), Box<dyn std::error::Error>> {
    let body = http_get(addr, "/api/tickets").await?;
    let tiers: Vec<serde_json::Value> = serde_json::from_str(&body)?;
    let mut sold_general = 0;
    let mut conserved = true;
    for tier in tiers {
        let capacity = tier["capacity"].as_u64().unwrap_or(0);
        let available = tier["available"].as_u64().unwrap_or(u64::MAX);
        conserved &= capacity == CAPACITY && available <= capacity;
        if tier["tier"] == "general" {
            sold_general = capacity - available.min(capacity);
        }
    }
    Ok((sold_general, conserved))
}

async fn http_get(addr: SocketAddr, path: &str) -> Result<String, Box<dyn std::error::Error>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default())
}

/// Runs one load and measures the server's CPU time meanwhile, as a share of all cores.
async fn measured(server: &Child, run: impl std::future::Future<Output = Report>) -> (Report, Option<f64>) {
    let before = cpu_seconds(server);
    let report = run.await;
    let after = cpu_seconds(server);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    let share = before.zip(after).map(|(before, after)| (after - before) / report.elapsed.as_secs_f64() / cores);
    (report, share)
}

/// User plus system CPU seconds the server has used, from /proc (clock ticks of 1/100 s on Linux).
fn cpu_seconds(server: &Child) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", server.id()?)).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The server's resident memory in KiB, from /proc: `VmRSS:` now, or `VmHWM:` the peak so far.
fn rss_kib(server: &Child, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.id()?)).ok()?;
    status.lines().find_map(|line| line.strip_prefix(field)?.trim().strip_suffix(" kB")?.trim().parse().ok())
}

struct Memory {
    /// After the runs, once idle long enough for the allocator to give back what they freed.
    idle: Option<u64>,
    peak: Option<u64>,
    /// The peak before the 10,000-connection runs.
    peak_to_1024: Option<u64>,
    without_streams: Option<u64>,
    with_streams: Option<u64>,
}

/// The page's WASM: raw bytes and gzip-compressed bytes.
fn wasm_sizes(site_root: &std::path::Path) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let wasm = std::fs::read_dir(site_root.join("pkg"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        // The module every page loads (the workspace's `output-name`); the lazily loaded chunks beside it
        // (`split_*.wasm`, `chunk_*.wasm`) are fetched only by the routes that need them. Its name carries
        // its hash (`boxoffice.<hash>.wasm`) when the build hashes files.
        .find(|path| {
            path.file_name().and_then(|name| name.to_str()).is_some_and(|name| {
                name == "boxoffice.wasm" || (name.starts_with("boxoffice.") && name.ends_with(".wasm"))
            })
        })
        .ok_or("no .wasm in the site's pkg folder")?;
    let raw = std::fs::read(&wasm)?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&raw)?;
    Ok((raw.len() as u64, gzip.finish()?.len() as u64))
}

fn render(
    rows: &[Row],
    created: u64,
    sold: u64,
    conserved: bool,
    memory: &Memory,
    (wasm_raw, wasm_gzip): (u64, u64),
) -> String {
    let mut out = String::new();
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let _ = writeln!(out, "# boxoffice bench\n");
    let _ = writeln!(
        out,
        "{} UTC · commit {commit} · {cores} cores (load generator on the same machine) · SQLite WAL, every answer after the fsync of its commit\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M")
    );
    let _ = writeln!(
        out,
        "| scenario | connections | req/s | p50 ms | p95 ms | p99 ms | statuses | transport errors | server CPU | note |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---|---:|---:|---|");
    for row in rows {
        let r = &row.report;
        let statuses: Vec<String> = r.by_status.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} |",
            row.scenario,
            row.connections,
            r.rate(),
            r.p50_ms,
            r.p95_ms,
            r.p99_ms,
            statuses.join(", "),
            r.transport_errors,
            row.server_cpu.map(|share| format!("{:.0} %", share * 100.0)).unwrap_or_default(),
            row.note
        );
    }
    let mib = |kib: Option<u64>| kib.map(|k| format!("{:.1} MiB", k as f64 / 1024.0)).unwrap_or("n/a".into());
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- Correctness: {created} bookings answered 201, General Admission sold {sold} → {}; conservation {}.",
        if created == sold { "equal" } else { "MISMATCH" },
        if conserved { "holds" } else { "BROKEN" }
    );
    let _ = writeln!(
        out,
        "- Server RSS: peak {} up to 1,024 connections, {} after the 10,000-connection runs; {} before the event \
         streams opened, {} with them open; {} once idle 15 s after the runs.",
        mib(memory.peak_to_1024),
        mib(memory.peak),
        mib(memory.without_streams),
        mib(memory.with_streams),
        mib(memory.idle)
    );
    let _ =
        writeln!(out, "- WASM: {:.1} KiB raw, {:.1} KiB gzip.", wasm_raw as f64 / 1024.0, wasm_gzip as f64 / 1024.0);
    let _ = writeln!(out, "\n## Targets (issues 6, 14 and 15)\n");
    for (target, met, by) in verdicts(rows, memory, wasm_gzip) {
        let _ = writeln!(out, "- {} {target}: {by}", if met { "met" } else { "MISSED" });
    }
    out
}

/// Each performance target, whether this run met it, and the figure against the goal.
fn verdicts(rows: &[Row], memory: &Memory, wasm_gzip: u64) -> Vec<(String, bool, String)> {
    let find = |scenario: &str, connections: usize| {
        rows.iter().find(|r| r.scenario == scenario && r.connections == connections).map(|r| &r.report)
    };
    let mut out = Vec::new();
    let healthz = find("GET /healthz", 64).map(Report::rate).unwrap_or(0.0);
    if let Some(b) = find("POST /api/bookings", 64) {
        let ratio = b.rate() / healthz;
        out.push((
            "bookings at 64 connections ≥ 0.5 × healthz and ≥ 5,000/s".into(),
            ratio >= 0.5 && b.rate() >= 5000.0,
            format!(
                "{:.2} × healthz ({:.0} % of the ratio goal), {:.0}/s ({:.0} % of 5,000)",
                ratio,
                ratio / 0.5 * 100.0,
                b.rate(),
                b.rate() / 50.0
            ),
        ));
    }
    for (connections, goal) in [(1024, 100.0), (10_000, 500.0)] {
        if let Some(b) = find("POST /api/bookings", connections) {
            let floor = find("GET /healthz", connections)
                .map(|h| format!("; GET /healthz at {connections}: p99 {:.0} ms", h.p99_ms))
                .unwrap_or_default();
            out.push((
                format!("p99 < {goal:.0} ms at {connections} connections"),
                b.p99_ms < goal,
                format!("p99 {:.0} ms ({:.1} × the goal){floor}", b.p99_ms, b.p99_ms / goal),
            ));
        }
    }
    let errors: u64 = rows
        .iter()
        .filter(|r| r.scenario.starts_with("POST"))
        .map(|r| {
            r.report.transport_errors
                + r.report.by_status.iter().filter(|(s, _)| **s >= 500).map(|(_, n)| n).sum::<u64>()
        })
        .sum();
    out.push(("no errors other than sold out".into(), errors == 0, format!("{errors} errors")));
    if let Some(peak) = memory.peak {
        let mb = |kib: u64| kib as f64 * 1.024 / 1000.0;
        let below = memory
            .peak_to_1024
            .map(|p| {
                let per_connection = (peak.saturating_sub(p)) as f64 / (10_000 - 1024) as f64;
                format!("; {:.0} MB up to 1,024 connections, ≈ {per_connection:.0} KiB per further connection", mb(p))
            })
            .unwrap_or_default();
        out.push((
            "RSS < 150 MB".into(),
            mb(peak) < 150.0,
            format!("peak {:.0} MB ({:.1} × the goal){below}", mb(peak), mb(peak) / 150.0),
        ));
    }
    let pages: Vec<f64> = rows.iter().filter(|r| r.scenario == PAGE).map(|r| r.report.rate()).collect();
    if let (Some(fresh), Some(after)) = (pages.first(), pages.last()) {
        let worst = fresh.min(*after);
        out.push((
            "server-rendered / ≥ 3,000 req/s".into(),
            worst >= 3000.0,
            format!(
                "{fresh:.0} req/s on a fresh server, {after:.0} after the load ({:.0} % of the goal at worst)",
                worst / 30.0
            ),
        ));
    }
    // Issue 14: the path buyers take, at the fast path's speed.
    let sales = |scenario: &str| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.connections == 64)
            .map(|r| r.report.count(201) as f64 / r.report.elapsed.as_secs_f64())
    };
    if let Some(sales) = sales(CHECKOUT) {
        let ratio = sales / healthz;
        out.push((
            "checkout (VIP, keys) at 64 connections ≥ 0.35 × healthz in sales/s".into(),
            ratio >= 0.35,
            format!("{sales:.0} sales/s, {ratio:.2} × healthz ({:.0} % of the goal)", ratio / 0.35 * 100.0),
        ));
    }
    if let Some(b) = find(KEYED_BOOKINGS, 64) {
        let ratio = b.rate() / healthz;
        out.push((
            "one-step bookings with keys and limits (VIP) at 64 connections ≥ 0.6 × healthz".into(),
            ratio >= 0.6,
            format!("{:.0}/s, {ratio:.2} × healthz ({:.0} % of the goal)", b.rate(), ratio / 0.6 * 100.0),
        ));
    }
    if let Some(open) = find(OPEN_LOOP, OPEN_CONNECTIONS) {
        out.push((
            format!("open loop at {OPEN_RATE:.0}/s over {OPEN_CONNECTIONS} connections: p99 < 100 ms"),
            open.p99_ms < 100.0,
            format!("p99 {:.1} ms ({:.2} × the goal), {:.0}/s achieved", open.p99_ms, open.p99_ms / 100.0, open.rate()),
        ));
    }
    if let (Some(with), Some(without)) = (find("POST /api/bookings + live streams", 64), find(BEFORE_STREAMS, 64)) {
        let ratio = with.rate() / without.rate();
        out.push((
            "bookings with 5,000 event streams open ≥ 0.7 × without (issue 15's fan-out budget)".into(),
            ratio >= 0.7,
            format!("{:.0}/s against {:.0}/s just before: {ratio:.2}", with.rate(), without.rate()),
        ));
    }
    let kb = wasm_gzip as f64 / 1000.0;
    out.push(("WASM ≤ 250 KB gzip".into(), kb <= 250.0, format!("{kb:.0} KB ({:.2} × the goal)", kb / 250.0)));
    out
}

const FLASH_TOKEN: &str = "bench-admin-token";
/// The 2,000-seat hall `make run` seats the default concert with: VIP rows A–E, Front Row F–AX, 40 a row.
const HALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/fixtures/seating/hall.json");

/// The hall's row label `index` (0 = A … 25 = Z, 26 = AA …).
fn row_label(index: usize) -> String {
    let (mut n, mut label) = (index + 1, String::new());
    while n > 0 {
        n -= 1;
        label.insert(0, (b'A' + (n % 26) as u8) as char);
        n /= 26;
    }
    label
}

/// Concerts seated with the hall for the seat holds: enough seats for what 64 connections hold in a run.
const SEATED_CONCERTS: usize = 25;

/// Seat holds on the 2,000-seat hall, each a named seat with a key, on a server of its own: the hall is
/// given to [`SEATED_CONCERTS`] concerts and request `n` holds seat `n mod 2,000` of concert `n / 2,000`, so
/// every request is a hold of a free seat until all of them are taken (as an on-sale of several shows
/// would be). Also the seat map's size (the page draws it from one call) and the page's render rate.
async fn seats_section(
    args: &Args,
    folder: &std::path::Path,
    addr: SocketAddr,
    healthz_rate: f64,
    duration: Duration,
) -> Result<String, Box<dyn std::error::Error>> {
    let url = format!("sqlite://{}/seats.db", folder.display());
    let env = [("BOXOFFICE_SEATING_PLAN", HALL), ("BOXOFFICE_ADMIN_TOKEN", FLASH_TOKEN)];
    let mut server = start_server_with(args, &url, addr, &env).await?;
    let client = reqwest::Client::new();
    let plan = std::fs::read_to_string(HALL)?;
    let mut concerts = Vec::with_capacity(SEATED_CONCERTS);
    for n in 0..SEATED_CONCERTS {
        let body = serde_json::json!({
            "name": format!("Hall Night {n}"), "venue": "Grand Hall",
            "starts_at": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339(),
            "tiers": [{ "tier": "vip", "price_cents": 10_000, "capacity": 0 }, { "tier": "front_row", "price_cents": 5_000, "capacity": 0 }]
        });
        let created: serde_json::Value = client
            .post(format!("http://{addr}/api/admin/concerts"))
            .bearer_auth(FLASH_TOKEN)
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        let id = created["id"].as_i64().ok_or_else(|| format!("no concert: {created}"))?;
        let seated = client
            .put(format!("http://{addr}/api/admin/concerts/{id}/seating"))
            .bearer_auth(FLASH_TOKEN)
            .header("content-type", "application/json")
            .body(plan.clone())
            .send()
            .await?;
        if !seated.status().is_success() {
            return Err(format!("the hall was refused: {}", seated.text().await?).into());
        }
        concerts.push(id);
    }
    let concerts = Arc::new(concerts);
    let target = Target {
        method: hyper::Method::POST,
        path: "/api/holds",
        body: Some(Arc::new(move |n| {
            let (concert, seat) = (concerts[(n / 2_000) as usize % SEATED_CONCERTS], (n % 2_000) as usize);
            let (row, number) = (row_label(seat / 40), seat % 40 + 1);
            let tier = if seat < 200 { "vip" } else { "front_row" };
            format!(
                r#"{{"concert_id":{concert},"tier":"{tier}","seats":["hall-{row}-{number}"],"name":"Bench","email":"seat-{n}@example.org"}}"#
            )
        })),
        key: Some(Arc::new(|n| format!("seat-hold-{n}"))),
        auth: None,
    };
    let page = get_row(&server, addr, "/", 64, duration, "GET / (seated)", "").await;
    let (report, cpu) = measured(&server, load::run(addr, target, 64, duration)).await;
    let holds = report.count(201) as f64 / report.elapsed.as_secs_f64();
    let after = get_row(&server, addr, "/", 64, duration, "GET / (seated)", "").await;
    let map =
        reqwest::Client::new().post(format!("http://{addr}/_fn/seat_map")).form(&[("concert", "1")]).send().await?;
    let map = map.text().await?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gzip, map.as_bytes())?;
    let map_gzip = gzip.finish()?.len();
    let _ = server.kill().await;
    let mut out = String::from("\n## Reserved seats (issue 16)\n\n");
    let _ = writeln!(
        out,
        "The 2,000-seat hall (`fixtures/seating/hall.json`) on a server of its own, given to {SEATED_CONCERTS} concerts; \
         64 connections, each request a hold of one named free seat with a key.\n"
    );
    let _ = writeln!(
        out,
        "- Seat holds: {holds:.0}/s = {:.2} × healthz (p50 {:.1} ms, p99 {:.1} ms; {} refused `seat_taken`: the run outlasted the seats; server CPU {}).",
        holds / healthz_rate,
        report.p50_ms,
        report.p99_ms,
        report.count(409),
        cpu.map(|c| format!("{:.0} %", c * 100.0)).unwrap_or("n/a".into())
    );
    let _ = writeln!(
        out,
        "- The seat map the page draws (one call, `/_fn/seat_map`): {:.0} KiB, {:.0} KiB gzip; the page itself renders at {:.0}/s \
         (p99 {:.1} ms), {:.0}/s (p99 {:.1} ms) with the holds above running.",
        map.len() as f64 / 1024.0,
        map_gzip as f64 / 1024.0,
        page.report.rate(),
        page.report.p99_ms,
        after.report.rate(),
        after.report.p99_ms
    );
    let met = holds / healthz_rate >= 0.3;
    let _ = writeln!(
        out,
        "\n- {} seat holds with keys ≥ 0.3 × healthz: {:.2}",
        if met { "met" } else { "MISSED" },
        holds / healthz_rate
    );
    Ok(out)
}
const BEFORE_STREAMS: &str = "POST /api/bookings, before the streams";

/// The flash sale on a server and database of its own, as a section of the results.
async fn flash_section(
    args: &Args,
    folder: &std::path::Path,
    addr: SocketAddr,
) -> Result<String, Box<dyn std::error::Error>> {
    let url = format!("sqlite://{}/flash.db", folder.display());
    let mut server = start_server_with(args, &url, addr, &[("BOXOFFICE_ADMIN_TOKEN", FLASH_TOKEN)]).await?;
    let how = flash_sale::FlashSale {
        pages: args.flash_pages,
        buyers: args.flash_buyers,
        rate: args.flash_rate,
        // Buyers ask for 2.5 tickets on average: the stock covers about half of them.
        capacity: (args.flash_buyers as u32).saturating_mul(5) / 4,
        // What the operator would set: about what this machine sells a second while the crowd joins
        // (a third of the arrivals), so a queue builds and the admitted buy at once.
        admit_per_minute: (args.flash_rate * 60.0 / 3.0) as u32,
    };
    let before = cpu_seconds(&server);
    let report = flash_sale::run(addr, FLASH_TOKEN, how).await?;
    let after = cpu_seconds(&server);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    let cpu = before.zip(after).map(|(b, a)| (a - b) / report.elapsed.as_secs_f64() / cores);
    let rss = rss_kib(&server, "VmHWM:");
    let _ = server.kill().await;
    Ok(render_flash(&how, &report, cpu, rss))
}

fn render_flash(
    how: &flash_sale::FlashSale,
    r: &flash_sale::FlashReport,
    cpu: Option<f64>,
    rss: Option<u64>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## Flash sale (issue 15)\n");
    let _ = writeln!(
        out,
        "{} pages on the live feed; {} buyers arriving open-loop at {:.0}/s from the opening; {} VIP tickets \
         (limit 4 a buyer); the waiting room admits {}/min. A server and database of its own.\n",
        how.pages, how.buyers, how.rate, how.capacity, how.admit_per_minute
    );
    let _ = writeln!(out, "| step | count | p50 ms | p95 ms | p99 ms |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for step in &r.steps {
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} | {:.1} | {:.1} |",
            step.name, step.count, step.p50_ms, step.p95_ms, step.p99_ms
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- {:.1} s from the opening to the last answer; admitted {:.0}/s, sales {:.0}/s; sold out after {}.",
        r.elapsed.as_secs_f64(),
        r.admitted_per_second,
        r.sales_per_second,
        r.sold_out_after.map(|d| format!("{:.1} s", d.as_secs_f64())).unwrap_or("— (never)".into())
    );
    let _ = writeln!(
        out,
        "- Server CPU {}, peak RSS {}.",
        cpu.map(|c| format!("{:.0} %", c * 100.0)).unwrap_or("n/a".into()),
        rss.map(|k| format!("{:.1} MiB", k as f64 / 1024.0)).unwrap_or("n/a".into())
    );
    let within: Vec<String> = r
        .server_join_within
        .iter()
        .filter(|(bound, _)| (0.005..=1.0).contains(bound))
        .map(|(bound, share)| format!("{:.1} % within {:.0} ms", share * 100.0, bound * 1000.0))
        .collect();
    let _ = writeln!(out, "- The server's own join latency (`/metrics`): {}.", within.join(", "));
    let checks = [
        ("every buyer got an answer", r.answered == r.buyers, format!("{} of {} answered", r.answered, r.buyers)),
        ("sold == paid tickets", r.sold == r.bought_tickets, format!("sold {}, paid {}", r.sold, r.bought_tickets)),
        (
            "no tier over capacity",
            r.sold + r.held + r.available == u64::from(how.capacity),
            format!("sold {} + held {} + available {} of {}", r.sold, r.held, r.available, how.capacity),
        ),
        ("no buyer over the limit", r.over_limit == 0, format!("{} second holds over 4 let through", r.over_limit)),
        ("it sold out", r.sold_out_answers > 0, format!("{} buyers told sold out", r.sold_out_answers)),
    ];
    for (check, ok, by) in checks {
        let _ = writeln!(out, "- check {}: {check} ({by})", if ok { "ok" } else { "FAILED" });
    }
    if !r.errors.is_empty() {
        let _ = writeln!(out, "- errors: {} (first: {})", r.errors.len(), r.errors[0]);
    }
    let p95 = |i: usize| r.steps.get(i).map_or(f64::INFINITY, |s| s.p95_ms);
    let _ = writeln!(out, "\n### Targets\n");
    for (target, met, by) in [
        (
            "every buyer an answer, 0 errors but sold out",
            r.errors.is_empty() && r.answered == r.buyers,
            format!("{} errors", r.errors.len()),
        ),
        ("queue join p95 < 100 ms", p95(0) < 100.0, format!("p95 {:.1} ms", p95(0))),
        ("hold p95 < 500 ms", p95(3) < 500.0, format!("p95 {:.1} ms", p95(3))),
        ("pay p95 < 500 ms", p95(4) < 500.0, format!("p95 {:.1} ms", p95(4))),
    ] {
        let _ = writeln!(out, "- {} {target}: {by}", if met { "met" } else { "MISSED" });
    }
    out
}
