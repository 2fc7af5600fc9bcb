//! A real SMTP server in the test process (mailin-embedded): what lettre delivers to it over the wire is
//! kept, whole, for the tests to parse.

use mailin_embedded::{response, Handler, Response, Server, SslConfig};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
struct Collect {
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    current: Vec<u8>,
}

impl Handler for Collect {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received.lock().unwrap().push(std::mem::take(&mut self.current));
        response::OK
    }
}

pub struct SmtpSink {
    pub url: String,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl SmtpSink {
    /// A server on a free port.
    pub fn start() -> SmtpSink {
        SmtpSink::serve(TcpListener::bind("127.0.0.1:0").expect("a free port"))
    }

    /// A server on `port` (one a test kept closed until now, to play an SMTP server that was down).
    pub fn start_on(port: u16) -> SmtpSink {
        SmtpSink::serve(TcpListener::bind(("127.0.0.1", port)).expect("the port is free again"))
    }

    fn serve(listener: TcpListener) -> SmtpSink {
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Collect { received: received.clone(), current: Vec::new() });
        server.with_name("sink.test").with_ssl(SslConfig::None).expect("no TLS").with_tcp_listener(listener);
        // Runs until the test process ends (a process per test).
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpSink { url, received }
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Vec<u8>> {
        self.received.lock().unwrap().clone()
    }

    /// The messages once there are at least `count` (the server stores a message as its client ends it).
    pub async fn wait_for(&self, count: usize) -> Vec<Vec<u8>> {
        for _ in 0..100 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{count} messages did not arrive, {} did", self.received().len());
    }
}

/// A port nothing listens on now (bound, read, let go).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
