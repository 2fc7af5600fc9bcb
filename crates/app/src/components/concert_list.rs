//! Every concert on sale, the default one first, each a link to its booking page.

use crate::server_fns::list_concerts;
use leptos::prelude::*;
use model::Concert;

/// `current` is the concert of this page (`None`: the default one), marked rather than linked.
#[component]
pub fn ConcertList(current: Option<i64>) -> impl IntoView {
    let concerts = Resource::new(|| (), |_| list_concerts());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                concerts
                    .await
                    .ok()
                    .filter(|all| all.len() > 1)
                    .map(|all| {
                        let default_id = all[0].id;
                        let current = current.unwrap_or(default_id);
                        let items = all
                            .into_iter()
                            .map(|concert| view! { <ConcertItem concert current default_id /> })
                            .collect_view();
                        view! {
                            <nav class="concerts" aria-labelledby="concerts-title">
                                <h2 id="concerts-title">"All concerts on sale"</h2>
                                <ul>{items}</ul>
                            </nav>
                        }
                    })
            })}
        </Suspense>
    }
}

/// A link at the top of the page to the list of every concert (when there is more than this one), so the
/// other concerts are found without scrolling past the booking form.
#[component]
pub fn ConcertsJump() -> impl IntoView {
    let concerts = Resource::new(|| (), |_| list_concerts());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                concerts.await.ok().filter(|all| all.len() > 1).map(|all| {
                    view! {
                        <nav class="concerts-jump" aria-label="Other concerts">
                            <a href="#concerts-title">{format!("All {} concerts on sale ↓", all.len())}</a>
                        </nav>
                    }
                })
            })}
        </Suspense>
    }
}

#[component]
fn ConcertItem(concert: Concert, current: i64, default_id: i64) -> impl IntoView {
    let path = if concert.id == default_id { "/".to_owned() } else { concert.page_path() };
    let left: u32 = concert.tiers.iter().filter(|t| t.on_sale).map(|t| t.available).sum();
    let from = concert.tiers.iter().map(|t| t.price_cents).min();
    let summary = match (left, from) {
        (0, _) | (_, None) => "Sold out".to_owned(),
        (_, Some(from)) => format!("From {from}"),
    };
    view! {
        <li class="concert-item">
            <a href=path aria-current=(concert.id == current).then_some("page")>{concert.name}</a>
            " · "
            <super::ConcertTime at=concert.starts_at zone=concert.zone />
            {format!(" · {} · ", concert.venue)}
            <span class="concert-item-summary">{summary}</span>
        </li>
    }
}
