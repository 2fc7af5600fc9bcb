//! The buyers' mails: queued in the order's own transaction, delivered over real SMTP with the tickets, their
//! QR codes, the PDF and the calendar file; an SMTP server that is down is tried again with backoff and gets
//! each mail once; several senders deliver each mail once; without SMTP, mails are `.eml` files.

use crate::{
    helpers::{capacities, paid_order_at, spawn_app, TestApp},
    smtp_sink::{closed_port, SmtpSink},
};
use chrono::{Duration, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::json;
use server::mail::{deliver_due, MailSettings, Transport};

const FROM: &str = "Boxoffice <tickets@shop.test>";

fn settings(url: &str) -> MailSettings {
    let transport = Transport::new(Some(url), std::env::temp_dir()).expect("an SMTP address");
    MailSettings::new(transport, FROM, "https://shop.test").unwrap()
}

/// One sender's pass over what is due; it ends (a mail that is not due yet is not tried again and again).
async fn deliver(
    store: &server::Store,
    settings: &MailSettings,
    clock: impl Fn() -> chrono::DateTime<Utc>,
) -> Result<usize, server::store::StoreError> {
    tokio::time::timeout(std::time::Duration::from_secs(20), deliver_due(store, settings, clock))
        .await
        .expect("a sender's pass ends: nothing is tried again before its backoff")
}

/// The outbox as `(kind, order, status, attempts)`, oldest first.
async fn outbox(app: &TestApp) -> Vec<(String, String, String, i64)> {
    sqlx::query_as("SELECT kind, order_id, status, attempts FROM outbox ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_order_gets_one_mail_with_its_tickets_qr_codes_pdf_and_calendar() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let (code, secret, tickets) = paid_order_at(&app.client, &app.base, None, 2, "Ada@Example.org").await;
    // Booked through the API with an id that is no address: no mail is owed.
    let booked = app.post_json("/api/bookings", json!({ "user_id": "buyer-17", "tier": "vip", "quantity": 1 })).await;
    assert_eq!(booked.status(), 201);
    assert_eq!(outbox(&app).await, vec![("order_confirmed".into(), code.clone(), "queued".into(), 0)]);

    let sink = SmtpSink::start();
    assert_eq!(deliver(&app.store, &settings(&sink.url), Utc::now).await.unwrap(), 1);
    let raw = sink.wait_for(1).await.remove(0);
    let mail = MessageParser::default().parse(&raw).expect("a mail a parser reads");
    assert_eq!(mail.message_id(), Some("outbox-1@shop.test"));
    assert_eq!(mail.to().and_then(|to| to.first()).and_then(|to| to.address()), Some("ada@example.org"));
    assert_eq!(mail.subject(), Some("Your tickets for The Midnight Orchestra"));
    let text = mail.body_text(0).unwrap();
    // The template escapes what it inserts, `/` too (`&#x2f;`), which a browser reads back as `/`.
    let html = mail.body_html(0).unwrap().replace("&#x2f;", "/");
    let link = format!("https://shop.test/orders/{code}/{secret}");
    for ticket in &tickets {
        assert!(text.contains(ticket.as_str()) && html.contains(ticket.as_str()), "ticket {ticket} in both parts");
    }
    assert!(text.contains(&link) && html.contains(&link), "the order's link in both parts");
    assert!(html.contains("cid:ticket-1@boxoffice") && html.contains("cid:ticket-2@boxoffice"));

    let parts: Vec<_> = mail.attachments().collect();
    let of_type = |kind: &str| {
        parts
            .iter()
            .filter(|p| {
                p.content_type().is_some_and(|t| format!("{}/{}", t.ctype(), t.subtype().unwrap_or("")) == kind)
            })
            .collect::<Vec<_>>()
    };
    let images = of_type("image/png");
    assert_eq!(images.len(), 2, "a QR image a ticket");
    let order: serde_json::Value = app.get(&format!("/api/orders/{code}/{secret}")).await.json().await.unwrap();
    for (image, ticket) in images.iter().zip(order["tickets"].as_array().unwrap()) {
        assert!(image.content_id().is_some_and(|id| id.starts_with("ticket-")), "shown inline by its Content-ID");
        // Read back as a door's camera would: the ticket's signed code.
        let picture = image::load_from_memory(image.contents()).expect("a PNG").to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(picture);
        let grids = prepared.detect_grids();
        let (_, read) = grids.first().expect("a QR code in the picture").decode().expect("a readable one");
        assert_eq!(read, ticket["signed_code"].as_str().unwrap());
    }
    let pdf = of_type("application/pdf");
    assert_eq!(pdf.len(), 1);
    let pdf = pdf[0].contents();
    assert!(pdf.starts_with(b"%PDF-"));
    let pdf_text = String::from_utf8_lossy(pdf);
    let pages = pdf_text.matches("/Type /Page").count() - pdf_text.matches("/Type /Pages").count();
    assert_eq!(pages, 2, "a page a ticket");
    // What a buyer opens, left in the temporary folder for looking at.
    let _ = std::fs::write(std::env::temp_dir().join("boxoffice-tickets.pdf"), pdf);
    let _ = std::fs::write(std::env::temp_dir().join("boxoffice-confirmation.eml"), &raw);
    let calendar = of_type("text/calendar");
    assert_eq!(calendar.len(), 1);
    assert!(String::from_utf8_lossy(calendar[0].contents()).contains(&format!("UID:{code}@boxoffice")));

    assert_eq!(outbox(&app).await, vec![("order_confirmed".into(), code.clone(), "sent".into(), 1)]);
    assert_eq!(deliver(&app.store, &settings(&sink.url), Utc::now).await.unwrap(), 0, "nothing more is due");

    // Cancelled: a second mail, saying so, with the calendar file that cancels the event.
    let cancelled = app.post_json(&format!("/api/orders/{code}/{secret}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), 200);
    assert_eq!(deliver(&app.store, &settings(&sink.url), Utc::now).await.unwrap(), 1);
    let raw = sink.wait_for(2).await.remove(1);
    let mail = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(mail.subject(), Some(format!("Order {code} cancelled and refunded").as_str()));
    assert!(mail.body_text(0).unwrap().contains("$20.00 is refunded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_the_smtp_server_was_down_for_is_tried_again_later_and_delivered_once() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let (code, ..) = paid_order_at(&app.client, &app.base, None, 1, "bo@example.org").await;
    let port = closed_port();
    let down = settings(&format!("smtp://127.0.0.1:{port}"));
    assert_eq!(deliver(&app.store, &down, Utc::now).await.unwrap(), 1);
    assert_eq!(outbox(&app).await, vec![("order_confirmed".into(), code.clone(), "retrying".into(), 1)]);
    assert_eq!(deliver(&app.store, &down, Utc::now).await.unwrap(), 0, "not again before its backoff");
    // Eleven seconds on (the first wait is ten), still down: the next wait is thirty.
    let later = || Utc::now() + Duration::seconds(11);
    assert_eq!(deliver(&app.store, &down, later).await.unwrap(), 1);
    assert_eq!(deliver(&app.store, &down, || Utc::now() + Duration::seconds(30)).await.unwrap(), 0);
    let last_error: Option<String> =
        sqlx::query_scalar("SELECT last_error FROM outbox").fetch_one(app.store.pool()).await.unwrap();
    assert!(last_error.is_some_and(|e| !e.is_empty()), "why it failed is kept for the operator");
    let (status, shown) = crate::api_admin::admin(&app, reqwest::Method::GET, "/api/admin/mails", None).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["counts"], json!({ "queued": 0, "sending": 0, "sent": 0, "retrying": 1, "failed": 0 }));
    assert_eq!(
        (shown["recent"][0]["status"].as_str(), shown["recent"][0]["attempts"].as_i64()),
        (Some("retrying"), Some(2))
    );
    assert!(shown["recent"][0]["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{shown}");
    assert_eq!(app.get("/api/admin/mails").await.status(), 401, "the operator's alone");

    // The server is back.
    let sink = SmtpSink::start_on(port);
    let much_later = || Utc::now() + Duration::seconds(11 + 31);
    assert_eq!(deliver(&app.store, &down, much_later).await.unwrap(), 1);
    assert_eq!(sink.wait_for(1).await.len(), 1);
    assert_eq!(deliver(&app.store, &down, || Utc::now() + Duration::hours(1)).await.unwrap(), 0);
    assert_eq!(sink.received().len(), 1, "exactly one message for the order");
    assert_eq!(outbox(&app).await, vec![("order_confirmed".into(), code, "sent".into(), 3)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_undelivered_for_a_day_is_given_up_and_shown_failed() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    paid_order_at(&app.client, &app.base, None, 1, "cy@example.org").await;
    let down = settings(&format!("smtp://127.0.0.1:{}", closed_port()));
    assert_eq!(deliver(&app.store, &down, || Utc::now() + Duration::hours(24)).await.unwrap(), 1);
    let (.., status, _) = outbox(&app).await.remove(0);
    assert_eq!(status, "failed");
    assert_eq!(deliver(&app.store, &down, || Utc::now() + Duration::days(30)).await.unwrap(), 0, "never tried again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_senders_at_once_deliver_each_mail_once() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    for buyer in 0..12 {
        paid_order_at(&app.client, &app.base, None, 1, &format!("buyer{buyer}@example.org")).await;
    }
    let sink = SmtpSink::start();
    let senders: Vec<_> = (0..3)
        .map(|_| {
            let (store, settings) = (app.store.clone(), settings(&sink.url));
            tokio::spawn(async move { deliver(&store, &settings, Utc::now).await.unwrap() })
        })
        .collect();
    let mut tried = 0;
    for sender in senders {
        tried += sender.await.unwrap();
    }
    assert_eq!(tried, 12, "every mail claimed by exactly one sender");
    let received = sink.wait_for(12).await;
    let mut ids: Vec<String> = received
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap().message_id().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "twelve different messages, none twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_each_mail_is_an_eml_file_a_parser_reads() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let (code, ..) = paid_order_at(&app.client, &app.base, None, 1, "di@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    let files =
        MailSettings::new(Transport::new(None, dir.path().join("outbox")).unwrap(), FROM, "http://127.0.0.1:3000")
            .unwrap();
    assert_eq!(deliver(&app.store, &files, Utc::now).await.unwrap(), 1);
    let written: Vec<_> =
        std::fs::read_dir(dir.path().join("outbox")).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&written[0]).unwrap();
    let mail = MessageParser::default().parse(&raw).unwrap();
    assert!(mail.body_text(0).unwrap().contains(&code));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_list_offer_mails_the_link_that_pays_it_and_find_my_orders_mails_every_order_link() {
    let app = spawn_app(capacities(5, 5, 1)).await;
    let (code, secret, _) = paid_order_at(&app.client, &app.base, None, 1, "first@example.org").await;
    let path = format!("/api/concerts/{}/waitlist", app.store.default_event_id());
    let joined =
        app.post_json(&path, json!({ "tier": "general", "quantity": 1, "email": "ada@example.org", "name": "Ada" }));
    assert_eq!(joined.await.status(), 201);
    assert_eq!(app.post_json(&format!("/api/orders/{code}/{secret}/cancel"), json!({})).await.status(), 200);
    let hold: String = sqlx::query_scalar("SELECT hold_id FROM waitlist").fetch_one(app.store.pool()).await.unwrap();

    let sink = SmtpSink::start();
    // The confirmation and the cancellation of the first order, and Ada's offer.
    assert_eq!(deliver(&app.store, &settings(&sink.url), Utc::now).await.unwrap(), 3);
    let mails: Vec<_> = sink.wait_for(3).await;
    let offer = mails
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .find(|mail| mail.subject() == Some("Tickets for The Midnight Orchestra are yours to buy"))
        .expect("the offer's mail");
    assert_eq!(offer.to().and_then(|to| to.first()).and_then(|to| to.address()), Some("ada@example.org"));
    let link = format!("https://shop.test/checkout/{hold}");
    let html = offer.body_html(0).unwrap().replace("&#x2f;", "/");
    assert!(offer.body_text(0).unwrap().contains(&link) && html.contains(&link), "the link that pays the offer");
    assert!(offer.body_text(0).unwrap().contains("1 × General Admission"));
    let card = json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" });
    let order: serde_json::Value =
        app.post_json(&format!("/api/holds/{hold}/payment"), card).await.json().await.unwrap();

    assert_eq!(app.post_json("/api/orders/lookup", json!({ "email": "ada@example.org" })).await.status(), 202);
    // The payment's confirmation, and the list.
    assert_eq!(deliver(&app.store, &settings(&sink.url), Utc::now).await.unwrap(), 2);
    let all = sink.wait_for(5).await;
    let found = all
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .find(|mail| mail.subject() == Some("Your orders"))
        .expect("the list of Ada's orders");
    let order_link =
        format!("https://shop.test/orders/{}/{}", order["code"].as_str().unwrap(), order["secret"].as_str().unwrap());
    assert!(found.body_text(0).unwrap().contains(&order_link), "{}", found.body_text(0).unwrap());
    assert!(found.body_html(0).unwrap().replace("&#x2f;", "/").contains(&order_link));
}

/// Three server processes on one database, each with its own sender, against one SMTP server: every
/// order's mail arrives once (the claims of one instance are skipped by the others), whichever instance
/// sold it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_server_processes_deliver_each_mail_once() {
    const ORDERS: usize = 24;
    let database = crate::helpers::fresh_database().await;
    let sink = SmtpSink::start();
    let env = [("BOXOFFICE_SMTP_URL", sink.url.as_str()), ("BOXOFFICE_MAIL_FROM", FROM)];
    let instances = crate::scale_out::start_three_with(&database.url, "vip=10,front_row=10,general=100", &env).await;
    let client = reqwest::Client::new();
    let sales = (0..ORDERS).map(|n| {
        let base = format!("http://127.0.0.1:{}", instances[n % 3].port);
        let client = client.clone();
        async move { paid_order_at(&client, &base, None, 1, &format!("buyer{n}@example.org")).await.0 }
    });
    let codes: std::collections::BTreeSet<String> = futures::future::join_all(sales).await.into_iter().collect();
    assert_eq!(codes.len(), ORDERS);
    for _ in 0..200 {
        if sink.received().len() >= ORDERS {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Three senders polling twice a second have had time to send any mail again.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let received = sink.received();
    let ids: std::collections::BTreeSet<String> = received
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap().message_id().expect("a Message-ID").to_owned())
        .collect();
    assert_eq!(received.len(), ORDERS, "each order's confirmation once, not {}", received.len());
    assert_eq!(ids.len(), ORDERS, "every mail its own Message-ID");
    let store = crate::helpers::open_store_at(&database.url).await;
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND attempts = 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sent, ORDERS as i64, "each sent at its first try, by one sender");
}
