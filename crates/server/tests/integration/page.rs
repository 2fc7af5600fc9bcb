//! The page over HTTP without a browser: the server-rendered HTML and the checkout's server functions.

use crate::helpers::{assert_conserved, capacities, spawn_app, tier_counts, TestApp};
use app::server_fns::Attempt;
use model::{BookingError, Hold, Order, Tier};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_rendered_on_the_server_with_the_tiers_and_their_availability() {
    let app = spawn_app(capacities(100, 500, 0)).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    for expected in
        ["VIP", "$100.00", "Front Row", "$50.00", "General Admission", "$10.00", "100 of 100 left", "Sold out"]
    {
        assert!(html.contains(expected), "page lacks {expected:?}");
    }
}

const APPROVED: &str = "4242 4242 4242 4242";

/// Posts a server function's form as the page's own code does (asking for JSON).
async fn call(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url(endpoint)).header("accept", "application/json").form(form).send().await.unwrap()
}

fn hold_form<'a>(quantity: &'a str, submission: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("tier", "general"),
        ("quantity", quantity),
        ("name", "Ada"),
        ("email", "ada@example.org"),
        ("submission", submission),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_holds_then_pays_and_refuses_like_the_api() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let held: Attempt<Hold> = call(&app, "/_fn/hold", &hold_form("2", "")).await.json().await.unwrap();
    let hold = held.expect("held");
    assert_eq!((hold.quantity, hold.user_id.as_str()), (2, "ada@example.org"));
    assert_eq!(tier_counts(&app.store, Tier::General).await.held, 2);
    assert_conserved(&app.store).await;

    let refused = call(&app, "/_fn/hold", &hold_form("11", "")).await;
    assert_eq!(refused.status(), 200, "a refusal is an answer, not a failed call");
    let refused: Attempt<Hold> = refused.json().await.unwrap();
    assert_eq!(refused, Err(BookingError::QuantityTooLarge { max: 10 }));
    let no_tier: Attempt<Hold> = call(&app, "/_fn/hold", &[("quantity", "1"), ("name", "Ada"), ("email", "a@b.org")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(no_tier, Err(BookingError::TierMissing));

    let app = &app;
    let pay = |card: &'static str| {
        let hold_id = hold.id.clone();
        async move {
            let form = [("hold", hold_id.as_str()), ("card_number", card), ("expiry", "12/35"), ("cvc", "123")];
            call(app, "/_fn/pay", &form).await.json::<Attempt<Order>>().await.unwrap()
        }
    };
    assert!(matches!(pay("4000 0000 0000 0002").await, Err(BookingError::PaymentDeclined { .. })));
    assert_eq!(tier_counts(&app.store, Tier::General).await.held, 2, "a declined card keeps the hold");
    let order = pay(APPROVED).await.expect("paid");
    assert_eq!((order.quantity, order.tickets.len()), (2, 2));
    assert!(order.tickets.iter().all(|t| t.qr_svg.as_deref().is_some_and(|svg| svg.starts_with("<svg"))));
    let counts = tier_counts(&app.store, Tier::General).await;
    assert_eq!((counts.sold, counts.held), (2, 0));
    assert_eq!(pay(APPROVED).await, Err(BookingError::HoldAlreadyPaid { order_code: order.code.clone() }));
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_submitted_hold_form_holds_once() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let form = hold_form("3", "4f1c0d2e9b8a7f6e5d4c3b2a19080706");
    let (first, second) = tokio::join!(call(&app, "/_fn/hold", &form), call(&app, "/_fn/hold", &form));
    let first: Attempt<Hold> = first.json().await.unwrap();
    let second: Attempt<Hold> = second.json().await.unwrap();
    assert_eq!(first.as_ref().map(|h| &h.id), second.as_ref().map(|h| &h.id), "both answers name one hold");
    assert_eq!(tier_counts(&app.store, Tier::General).await.held, 3);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_forms_lead_from_hold_to_checkout_to_the_order() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        client.post(app.url(endpoint)).header("accept", "text/html").header("referer", app.url("/")).form(&form).send()
    };
    let form = vec![
        ("tier", "vip".into()),
        ("quantity", "1".into()),
        ("name", "Ada".into()),
        ("email", "ada@example.org".into()),
    ];
    let response = post("/_fn/hold", form).await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let checkout = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(checkout.starts_with("/checkout/h_"), "{checkout}");
    let page = app.get(&checkout).await.text().await.unwrap();
    assert!(page.contains("1 × VIP") && page.contains("Card number") && page.contains("Pay $100.00"), "checkout page");

    let hold_id = checkout.trim_start_matches("/checkout/").to_owned();
    let form =
        vec![("hold", hold_id), ("card_number", APPROVED.into()), ("expiry", "12/35".into()), ("cvc", "123".into())];
    let response = post("/_fn/pay", form).await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let order_page = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(order_page.starts_with("/orders/BX-"), "{order_page}");
    let page = app.get(&order_page).await.text().await.unwrap();
    assert!(page.contains("You&#x27;re going!") || page.contains("You're going!"), "order page");
    assert!(page.contains("<svg") && page.contains("QR code of ticket T-"), "order page shows the ticket's QR code");
    let wrong_secret = format!("{}x", order_page);
    let page = app.get(&wrong_secret).await.text().await.unwrap();
    assert!(!page.contains("<svg"), "a wrong secret shows nothing of the order");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_refusal_comes_back_to_the_form_in_words() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client
        .post(app.url("/_fn/hold"))
        .header("accept", "text/html")
        .header("referer", app.url("/"))
        .form(&[("tier", "vip"), ("quantity", "11"), ("name", "Ada"), ("email", "ada@example.org")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, "/?error=invalid_quantity", "the refusal travels by its code");
    let page = app.get(&back).await.text().await.unwrap();
    assert!(page.contains("choose how many tickets you want, from 1 to 10"), "the page shows it in words");
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_cannot_put_words_on_the_page() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let page = app.get("/?error=Call%20555-0100%20for%20your%20refund").await.text().await.unwrap();
    assert!(!page.contains("555-0100"), "text from the address is not shown");
    assert!(!page.contains(r#"role="alert""#), "nor any alert for a code the shop never sends");
    let page = app.get("/?error=sold_out&available=2").await.text().await.unwrap();
    assert!(page.contains("not enough tickets left: 2 available"), "a code the shop sends is shown in its words");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_plain_form_goes_back_only_to_a_page_of_this_site() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = [("tier", "vip"), ("quantity", "11"), ("name", "Ada"), ("email", "ada@example.org")];
    let host = app.base.trim_start_matches("http://").to_owned();
    for (referer, back) in [
        (Some(app.url("/concerts/1?error=old")), "/concerts/1?error="),
        (Some(app.url("//evil.example/phish")), "/?error="),
        (Some(format!("http://{host}/\\evil.example")), "/?error="),
        (Some("https://evil.example/concerts/1".to_owned()), "/?error="),
        (Some("not a url at all".to_owned()), "/?error="),
        (None, "/?error="),
    ] {
        let mut request = client.post(app.url("/_fn/hold")).header("accept", "text/html").form(&form);
        if let Some(referer) = &referer {
            request = request.header("referer", referer);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_redirection(), "{referer:?}: {}", response.status());
        let location = response.headers()["location"].to_str().unwrap();
        assert!(location.starts_with(back), "from {referer:?} back to {location}, not {back}…");
    }
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_do_not_exist_are_404() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    for path in ["/concerts/99", "/concerts/nope", "/checkout/h_nope", "/orders/BX-NOPE1-NOPE2/0123", "/nowhere"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains("Page not found"), "{path}: {page}");
    }
    assert_eq!(app.get("/concerts/1").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkout_and_the_order_are_rendered_whole_for_a_browser_without_javascript() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let hold: serde_json::Value = app
        .post_json("/api/holds", serde_json::json!({"tier": "vip", "quantity": 1, "name": "Ada", "email": "a@b.org"}))
        .await
        .json()
        .await
        .unwrap();
    let checkout = app.get(&format!("/checkout/{}", hold["id"].as_str().unwrap())).await.text().await.unwrap();
    let main = &checkout[..checkout.find("</main>").expect("the page has its main")];
    assert!(main.contains("Card number") && main.contains("Pay $100.00"), "the form is in place, not streamed after");
    assert!(!checkout.contains("Finding your hold"), "no fallback waiting for a script to replace it");
    let card = serde_json::json!({"card_number": "4242424242424242", "expiry": "12/35", "cvc": "123"});
    let order: serde_json::Value = app
        .post_json(&format!("/api/holds/{}/payment", hold["id"].as_str().unwrap()), card)
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/orders/{}/{}", order["code"].as_str().unwrap(), order["secret"].as_str().unwrap());
    let page = app.get(&path).await.text().await.unwrap();
    let main = &page[..page.find("</main>").expect("the page has its main")];
    assert!(main.contains("<svg") && !page.contains("Looking up your order"), "the order and its QR code in place");
}
