//! No response stays open for ever: the hang that once stalled this suite, reproduced, and the deadline
//! that ends any response body still running past the request timeout.
//!
//! The hang: leptos' route-list generation (run by every `build_router`) raises a process-wide "suppress
//! resource loads" flag while it renders the app once, and a page resource whose future is first polled
//! while that flag is up waits forever (leptos_server's `pending()` branch, leptos issue #4773). The suite
//! builds a router per test on parallel threads, so now and then one test's checkout page waited on its
//! hold for ever while another test built its router. Routes are now listed once per process.

use crate::helpers::{capacities, spawn_app};
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_finish_rendering_while_other_routers_are_built() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let hold = app
        .post_json("/api/holds", serde_json::json!({"tier": "vip", "quantity": 1, "name": "Ada", "email": "a@b.org"}))
        .await;
    assert_eq!(hold.status(), 201);
    let hold: serde_json::Value = hold.json().await.unwrap();
    let checkout = format!("/checkout/{}", hold["id"].as_str().unwrap());

    // Another test's set-up, over and over, on a thread of its own (as cargo runs tests).
    let stop = Arc::new(AtomicBool::new(false));
    let builder = std::thread::spawn({
        let (state, stop) = (app.state.clone(), stop.clone());
        move || {
            let mut built = 0;
            while !stop.load(Ordering::Relaxed) {
                drop(server::build_router(state.clone(), 0));
                built += 1;
            }
            built
        }
    });
    let mut stalled = 0;
    for _ in 0..100 {
        let page = tokio::time::timeout(Duration::from_secs(3), async { app.get(&checkout).await.text().await });
        match page.await {
            Ok(Ok(page)) => assert!(page.contains("Pay $100.00"), "the checkout page shows its hold"),
            Ok(Err(error)) => panic!("the checkout page failed: {error}"),
            Err(_) => stalled += 1,
        }
        if stalled > 0 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let built = builder.join().expect("the router builder ran");
    assert!(built > 0, "routers were built while the page rendered");
    assert_eq!(stalled, 0, "a checkout page never finished while routers were being built");
}
