//! The persist step's second line: each conditional write refuses the batch when its row is no longer what
//! the batch loaded. Nothing can change it in the running server (the writer excludes other writers), so
//! these tests change the row themselves, inside the batch's transaction, between load and persist.

use super::super::{batch_load, codes::Codes, db, Store};
use super::persist;
use model::{
    sale::{Answer, Charge, Command, Rules, Sale},
    BookingRequest, BuyerLimits, Capacities, Quantity,
};
use std::time::Duration;

struct Fixture {
    _dir: tempfile::TempDir,
    url: String,
    rules: Rules,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}/guards.db", dir.path().display());
    let store = Store::open(&url, Capacities::default()).await.expect("the store opens");
    let rules = Rules {
        default_concert: store.default_event_id(),
        max_per_order: 10,
        buyer_limits: BuyerLimits::default(),
        hold_for: Duration::from_secs(600),
        offer_for: Duration::from_secs(30 * 60),
    };
    store.close().await;
    Fixture { _dir: dir, url, rules }
}

fn request(tier: &str) -> BookingRequest {
    BookingRequest::parse("guard@example.com", tier, Quantity::parse("2")).expect("a valid request")
}

/// Loads and decides `command` in a write transaction, runs `underneath` in it, then persists: the result.
async fn decide_then_persist(fixture: &Fixture, command: Command, underneath: &str) -> Result<Answer, sqlx::Error> {
    let mut connection = db::connect(&fixture.url, db::Dialect::Sqlite).await.expect("a connection");
    let mut tx = sqlx::Connection::begin_with(&mut connection, "BEGIN IMMEDIATE").await?;
    let now = chrono::Utc::now();
    let wanted = [(&command, None)];
    let mut sale: Sale = batch_load::load(&mut tx, db::Dialect::Sqlite, fixture.rules, &wanted, now).await?;
    let loaded = super::Loaded::of(&sale);
    let answer = sale.apply(command.clone(), None, &mut Codes).expect("no key");
    if !underneath.is_empty() {
        sqlx::query(sqlx::AssertSqlSafe(underneath.to_owned())).execute(&mut *tx).await?;
    }
    persist(&mut tx, db::Dialect::Sqlite, &loaded, &sale).await?;
    tx.commit().await?;
    Ok(answer)
}

async fn scalar(fixture: &Fixture, sql: &str) -> i64 {
    let mut connection = db::connect(&fixture.url, db::Dialect::Sqlite).await.expect("a connection");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut connection).await.expect("a number")
}

fn refused_because(result: Result<Answer, sqlx::Error>, what: &str) {
    match result {
        Err(sqlx::Error::Protocol(message)) => {
            assert!(message.contains(what) && message.contains("changed under the writer"), "{message}")
        }
        other => panic!("expected the batch refused because {what} changed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_tier_moved_underneath_refuses_the_batch_and_writes_nothing() {
    let fixture = fixture().await;
    let sold_before = scalar(&fixture, "SELECT sold FROM tiers WHERE tier = 'vip'").await;
    let result = decide_then_persist(
        &fixture,
        Command::Book(request("vip")),
        "UPDATE tiers SET sold = sold + 1 WHERE tier = 'vip'",
    )
    .await;
    refused_because(result, "the stock of vip of concert");
    assert_eq!(scalar(&fixture, "SELECT sold FROM tiers WHERE tier = 'vip'").await, sold_before);
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM orders").await, 0);
}

async fn place_hold(fixture: &Fixture) -> String {
    match decide_then_persist(fixture, Command::Hold(request("general")), "").await {
        Ok(Answer::Held(Ok(hold))) => hold.id,
        other => panic!("expected a hold, got {other:?}"),
    }
}

#[tokio::test]
async fn a_hold_that_stopped_running_underneath_is_not_paid() {
    let fixture = fixture().await;
    let hold = place_hold(&fixture).await;
    let charge = Charge::Approved { card_last4: "4242".to_owned() };
    let result = decide_then_persist(
        &fixture,
        Command::Pay { hold_id: hold.clone(), charge },
        &format!("UPDATE holds SET status = 'released' WHERE id = '{hold}'"),
    )
    .await;
    refused_because(result, "holds being paid");
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM payments").await, 0);
}

#[tokio::test]
async fn a_hold_that_stopped_running_underneath_is_not_released_twice() {
    let fixture = fixture().await;
    let hold = place_hold(&fixture).await;
    let result = decide_then_persist(
        &fixture,
        Command::Release { hold_id: hold.clone() },
        &format!("UPDATE holds SET status = 'expired' WHERE id = '{hold}'"),
    )
    .await;
    refused_because(result, "holds being released");
    assert_eq!(scalar(&fixture, "SELECT held FROM tiers WHERE tier = 'general'").await, 2);
}

#[tokio::test]
async fn an_order_cancelled_underneath_is_not_refunded_again() {
    let fixture = fixture().await;
    let order = match decide_then_persist(&fixture, Command::Book(request("general")), "").await {
        Ok(Answer::Booked(Ok(booking))) => booking,
        other => panic!("expected a booking, got {other:?}"),
    };
    let (code, secret) = (order.id.clone(), order.secret.clone().expect("a secret"));
    let result = decide_then_persist(
        &fixture,
        Command::Cancel { code: code.clone(), secret },
        &format!("UPDATE orders SET status = 'cancelled' WHERE id = '{code}'"),
    )
    .await;
    refused_because(result, "orders being cancelled");
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM payments WHERE kind = 'refund'").await, 0);
}

#[tokio::test]
async fn a_seat_taken_underneath_refuses_the_batch_and_writes_nothing() {
    let fixture = fixture().await;
    let store = Store::open(&fixture.url, Capacities::default()).await.expect("the store opens");
    let plan: model::SeatingPlan = serde_json::from_value(serde_json::json!({
        "categories": [{"name": "VIP"}], "size": {"width": 100, "height": 100},
        "zones": [{"name": "Floor", "rows": [{"row_number": "A", "seats": [
            {"seat_guid": "s1", "seat_number": "1", "position": {"x": 10, "y": 10}, "category": "VIP"},
            {"seat_guid": "s2", "seat_number": "2", "position": {"x": 20, "y": 10}, "category": "VIP"}]}]}]
    }))
    .expect("a plan");
    let offered = [(model::Tier::Vip, "VIP".to_owned())];
    let seats = plan.checked(&offered).expect("a sound plan");
    store.set_seating(store.default_event_id(), seats, "{}".into()).await.expect("seated");
    store.close().await;

    let hold = request("vip").for_seats(vec!["s1".into()]).expect("one seat");
    // Another writer took the seat after this batch loaded it free: the seat's update must match nothing.
    let result =
        decide_then_persist(&fixture, Command::Hold(hold), "UPDATE seats SET state = 'blocked' WHERE id = 's1'").await;
    refused_because(result, "seat s1 of concert");
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM holds").await, 0, "no hold written");
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM seats WHERE state = 'held'").await, 0);
}

#[tokio::test]
async fn a_ticket_let_in_underneath_refuses_the_batch_and_writes_nothing() {
    let fixture = fixture().await;
    let booking = match decide_then_persist(&fixture, Command::Book(request("general")), "").await {
        Ok(Answer::Booked(Ok(booking))) => booking,
        other => panic!("expected a booking, got {other:?}"),
    };
    let store = Store::open(&fixture.url, Capacities::default()).await.expect("the store opens");
    let device = store.create_device("Door 1".into()).await.expect("a device");
    store.pair_device(&device.pairing_code).await.expect("pairs").expect("a fresh code pairs");
    store.close().await;
    let ticket = scalar_text(&fixture, &format!("SELECT code FROM tickets WHERE order_id = '{}'", booking.id)).await;
    let scan = model::Scan::parse(
        &ticket,
        fixture.rules.default_concert,
        "n-1",
        chrono::Utc::now(),
        false,
        model::Direction::Entry,
    )
    .expect("a scan");
    let command = Command::Redeem { device: model::DeviceRef { id: device.id, name: "Door 1".into() }, scan };
    // Another writer let the ticket in after this batch loaded it outside: its update must match nothing.
    let result = decide_then_persist(
        &fixture,
        command,
        &format!("UPDATE tickets SET entries = 1, inside = 1 WHERE code = '{ticket}'"),
    )
    .await;
    refused_because(result, "of tickets T-");
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM checkins").await, 0, "no scan logged");
}

async fn scalar_text(fixture: &Fixture, sql: &str) -> String {
    let mut connection = db::connect(&fixture.url, db::Dialect::Sqlite).await.expect("a connection");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut connection).await.expect("a text")
}

/// A sold-out VIP tier (two sold to the guard buyer) with `waiting@example.org` on its list: the order.
async fn sold_out_with_one_waiting(fixture: &Fixture) -> (String, String) {
    let mut connection = db::connect(&fixture.url, db::Dialect::Sqlite).await.expect("a connection");
    sqlx::query("UPDATE tiers SET capacity = 2 WHERE tier = 'vip'").execute(&mut connection).await.unwrap();
    let order = match decide_then_persist(fixture, Command::Book(request("vip")), "").await {
        Ok(Answer::Booked(Ok(booking))) => booking,
        other => panic!("expected a booking, got {other:?}"),
    };
    let waiting = BookingRequest::parse("waiting@example.org", "vip", Quantity::parse("2")).unwrap();
    match decide_then_persist(fixture, Command::JoinWaitlist(waiting), "").await {
        Ok(Answer::Waitlisted(Ok(_))) => {}
        other => panic!("expected a place on the list, got {other:?}"),
    }
    (order.id.clone(), order.secret.clone().expect("a secret"))
}

#[tokio::test]
async fn a_waiting_list_moved_underneath_refuses_the_join() {
    let fixture = fixture().await;
    sold_out_with_one_waiting(&fixture).await;
    let another = BookingRequest::parse("another@example.org", "vip", Quantity::parse("1")).unwrap();
    let result = decide_then_persist(
        &fixture,
        Command::JoinWaitlist(another),
        "UPDATE tiers SET lined = lined + 1, waiting = waiting + 1 WHERE tier = 'vip'",
    )
    .await;
    refused_because(result, "the waiting list of vip");
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM waitlist").await, 1, "the join wrote nothing");
}

#[tokio::test]
async fn an_entry_moved_underneath_gets_no_offer() {
    let fixture = fixture().await;
    let (code, secret) = sold_out_with_one_waiting(&fixture).await;
    let result =
        decide_then_persist(&fixture, Command::Cancel { code, secret }, "UPDATE waitlist SET state = 'lapsed'").await;
    refused_because(result, "waiting-list entry");
    assert_eq!(scalar(&fixture, "SELECT COUNT(*) FROM holds WHERE waitlist_id IS NOT NULL").await, 0);
}
