//! "Add to calendar": an order's `.ics` file, read back with an iCalendar parser.

use crate::helpers::{capacities, paid_order_at, spawn_app};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime, EventLike, EventStatus};
use serde_json::Value;

async fn calendar(app: &crate::helpers::TestApp, code: &str, secret: &str) -> (reqwest::header::HeaderMap, String) {
    let response = app.get(&format!("/api/orders/{code}/{secret}/calendar.ics")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_downloads_as_its_concerts_event_and_a_cancellation_cancels_it() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let (code, secret, _) = paid_order_at(&app.client, &app.base, None, 2, "ada@example.org").await;
    let concert: Value = app.get("/api/concerts").await.json().await.unwrap();
    let concert = &concert.as_array().unwrap()[0];

    let (headers, text) = calendar(&app, &code, &secret).await;
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(headers["content-disposition"], format!("attachment; filename=\"boxoffice-{code}.ics\""));
    let parsed: Calendar = text.parse().expect("an RFC 5545 calendar");
    let [CalendarComponent::Event(event)] = parsed.components.as_slice() else { panic!("one event: {text}") };
    assert_eq!(event.get_uid(), Some(format!("{code}@boxoffice").as_str()));
    assert_eq!(event.get_summary(), concert["name"].as_str());
    assert_eq!(event.get_location(), concert["venue"].as_str());
    let starts: chrono::DateTime<chrono::Utc> = concert["starts_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(event.get_start(), Some(DatePerhapsTime::DateTime(starts.into())));
    assert_eq!(event.get_status(), Some(EventStatus::Confirmed));
    let description = event.get_description().unwrap();
    assert!(description.contains("2 × General Admission") && description.contains(&code), "{description}");
    assert!(!text.contains(&secret), "the file never carries the order's secret");

    let cancelled = app.client.post(app.url(&format!("/api/orders/{code}/{secret}/cancel"))).send().await.unwrap();
    assert_eq!(cancelled.status(), 200);
    let (_, text) = calendar(&app, &code, &secret).await;
    let parsed: Calendar = text.parse().unwrap();
    let [CalendarComponent::Event(event)] = parsed.components.as_slice() else { panic!("one event: {text}") };
    assert_eq!(event.get_uid(), Some(format!("{code}@boxoffice").as_str()), "the same event, updated");
    assert_eq!(event.get_status(), Some(EventStatus::Cancelled));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_gets_no_calendar() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let (code, _, _) = paid_order_at(&app.client, &app.base, None, 1, "ada@example.org").await;
    let response = app.get(&format!("/api/orders/{code}/not-the-secret/calendar.ics")).await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "not_found");
}
