//! `/admin`: the operator's page. Sales per concert and tier, the on-sale live (queue, sales a minute,
//! charts; the waiting room's rate), capacity, pause and resume, the newest orders, their CSV, and new
//! concerts. It needs JavaScript: the admin token lives only in the page's memory (not in
//! a cookie, not in storage), and every call sends it in its body; a reload asks for it again.

mod bar_chart;
mod concert_choice;
mod concert_panel;
mod concert_settings;
mod door_admin;
mod door_live;
mod inbox_admin;
mod new_concert;
mod on_sale_live;
mod seating_admin;
mod time_zone_field;

use crate::admin_fns::admin_overview;
use concert_panel::ConcertPanel;
use leptos::prelude::*;
use model::ConcertSales;
use new_concert::NewConcertForm;

// Buyers never download the admin page's code.
super::lazy_page!(AdminRoute, AdminPage);

#[component]
fn AdminPage() -> impl IntoView {
    let hydrated = super::hydration_mark();
    let draft = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    provide_context(seating_admin::SeatingNotices::default());
    let overview = Action::new(|token: &String| admin_overview(token.clone()));
    // The figures as last fetched. Each panel reads its own concert's from here, so new figures change the
    // numbers in place: nothing the operator is reading, typing or has unfolded is redrawn.
    let concerts: RwSignal<Vec<ConcertSales>> = RwSignal::new(Vec::new());
    let opened = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| match overview.value().get() {
        Some(Ok(Ok(list))) => {
            concerts.set(list);
            opened.set(true);
            problem.set(None);
        }
        Some(Ok(Err(refusal))) => {
            // A token that is not (or no longer) the admin's shows nothing of the shop.
            concerts.set(Vec::new());
            opened.set(false);
            problem.set(Some(refusal.to_string()));
        }
        // A failed fetch leaves the figures as they were, with the reason above them.
        Some(Err(failure)) => problem.set(Some(failure.to_string())),
        None => {}
    });
    let refresh = Callback::new(move |_: ()| {
        overview.dispatch(token.get_untracked());
    });
    let status = RwSignal::new(crate::live::LiveStatus::Connecting);
    follow_sales(opened, status, refresh);
    let open = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        token.set(draft.get_untracked());
        overview.dispatch(draft.get_untracked());
    };
    let ids = move || concerts.with(|list| list.iter().map(|sales| sales.concert.id).collect::<Vec<_>>());

    view! {
        <main class="page admin" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"← The public page"</a></p>
            <h1>"Box office admin"</h1>
            <form class="token" on:submit=open>
                <label>
                    "Admin token"
                    <input type="password" name="token" autocomplete="off" bind:value=draft required />
                </label>
                <button type="submit" disabled=move || !hydrated.get()>"Open"</button>
            </form>
            <noscript><p class="error">"The admin page needs JavaScript."</p></noscript>
            <div class="admin-answer">
                {move || problem.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            </div>
            <div class="admin-live">
                <Show when=move || opened.get()>
                    <crate::components::LiveStatusLine status of="sales figures" />
                </Show>
            </div>
            <div>
                <For each=ids key=|id| *id let:id>
                    <ConcertPanel
                        sales=Memo::new(move |_| concerts.with(|list| list.iter().find(|s| s.concert.id == id).cloned()))
                        token
                        on_change=refresh
                    />
                </For>
            </div>
            <Show when=move || opened.get()>
                <door_admin::DoorAdmin token />
                <door_live::DoorLive token />
                <inbox_admin::InboxAdmin token />
                <NewConcertForm token on_created=refresh />
            </Show>
        </main>
    }
}

/// Once the page is open, fetches the figures again whenever a concert's availability changes (a hold, an
/// order, a cancellation, the operator's own change), at most once a second: a flash sale's every ticket
/// must not become a fetch each.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn follow_sales(opened: RwSignal<bool>, status: RwSignal<crate::live::LiveStatus>, refresh: Callback<()>) {
    #[cfg(feature = "hydrate")]
    {
        let scheduled = StoredValue::new(false);
        crate::live::follow_catalog(status, move |_| {
            if !opened.get_untracked() || scheduled.get_value() {
                return;
            }
            scheduled.set_value(true);
            set_timeout(
                move || {
                    scheduled.set_value(false);
                    refresh.run(());
                },
                std::time::Duration::from_secs(1),
            );
        });
    }
}
