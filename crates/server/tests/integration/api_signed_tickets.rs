//! Signed ticket codes over HTTP: what an order's QR codes carry verifies under the key the door list
//! hands the scanners, is let in online like the plain code, and a forgery of it is not; a concert larger
//! than the scanners keep comes to them as its revocation list.

use crate::{
    api_checkin::{scan, scanner},
    helpers::{capacities, spawn_app, spawn_app_with, TestApp},
};
use model::{SignedCode, TicketClaim, TicketKey, TicketSigner, Tier};
use serde_json::{json, Value};

async fn door_list(app: &TestApp, token: &str) -> Value {
    let response = app.client.get(app.url("/api/checkin/tickets")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn signed_codes(app: &TestApp, code: &str, secret: &str) -> Vec<String> {
    let order: Value =
        app.client.get(app.url(&format!("/api/orders/{code}/{secret}"))).send().await.unwrap().json().await.unwrap();
    order["tickets"].as_array().unwrap().iter().map(|t| t["signed_code"].as_str().unwrap().to_owned()).collect()
}

fn keys(page: &Value) -> Vec<TicketKey> {
    serde_json::from_value(page["keys"].clone()).expect("the door list's keys")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_signed_codes_verify_at_the_door_and_a_forgery_does_not_get_in() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let concert = app.store.default_event_id();
    let (code, secret, plain) = crate::helpers::paid_order_at(&app.client, &app.base, None, 2, "ada@example.org").await;
    let signed = signed_codes(&app, &code, &secret).await;
    let page = door_list(&app, &door.token).await;
    for (signed, plain) in signed.iter().zip(&plain) {
        let claim = SignedCode::parse(signed).and_then(|read| read.verify(&keys(&page)).cloned());
        let expected = TicketClaim { code: plain.clone(), concert_id: concert, tier: Tier::General, seat: None };
        assert_eq!(claim, Some(expected), "{signed}");
    }

    // The same claim under a key the shop never had: refused as not a ticket, and nothing let in.
    let forger = TicketSigner::from_secret([9; 32]);
    let claim = TicketClaim { code: plain[0].clone(), concert_id: concert, tier: Tier::General, seat: None };
    let forged = forger.sign(&claim).replacen(&forger.public().id, &keys(&page)[0].id, 1);
    let redeem = app.url("/api/checkin/redeem");
    let body = json!({ "ticket": forged, "concert_id": concert, "nonce": "forged" });
    let (status, answer) = scan(&app.client, &redeem, &door.token, body).await;
    assert_eq!((status, answer["reason"].as_str()), (200, Some("invalid")), "{answer}");
    let checked_in: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE entries > 0").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(checked_in, 0);

    // The real signed code gets in as its ticket; the plain code is then that ticket, in already.
    let body = json!({ "ticket": signed[0], "concert_id": concert, "nonce": "signed" });
    let (_, answer) = scan(&app.client, &redeem, &door.token, body).await;
    assert_eq!((answer["status"].as_str(), answer["ticket"]["code"].as_str()), (Some("ok"), Some(plain[0].as_str())));
    let body = json!({ "ticket": plain[0], "concert_id": concert, "nonce": "typed" });
    let (_, answer) = scan(&app.client, &redeem, &door.token, body).await;
    assert_eq!(answer["reason"], "already_redeemed", "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concert_larger_than_the_scanners_keep_comes_as_its_revocation_list() {
    let sale = server::store::SaleSettings { door_list_limit: 2, ..Default::default() };
    let app = spawn_app_with(capacities(5, 5, 50), sale).await;
    let door = scanner(&app, "Door 1").await;
    let (_, _, kept) = crate::helpers::paid_order_at(&app.client, &app.base, None, 2, "ada@example.org").await;
    let page = door_list(&app, &door.token).await;
    assert_eq!((page["whole"].as_bool(), page["tickets"].as_array().map(Vec::len)), (Some(true), Some(2)), "{page}");

    let (code, secret, cancelled) =
        crate::helpers::paid_order_at(&app.client, &app.base, None, 1, "bob@example.org").await;
    let refund = app.client.post(app.url(&format!("/api/orders/{code}/{secret}/cancel"))).send().await.unwrap();
    assert_eq!(refund.status(), 200);
    let page = door_list(&app, &door.token).await;
    assert_eq!(page["whole"], false, "three tickets are more than the two a scanner keeps: {page}");
    let listed: Vec<&str> = page["tickets"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(listed, vec![cancelled[0].as_str()], "only the cancelled ticket, not {kept:?}");
    assert_eq!(page["tickets"][0]["canceled"], true);
    assert_eq!(keys(&page), vec![app.store.ticket_signer().public()]);
}
