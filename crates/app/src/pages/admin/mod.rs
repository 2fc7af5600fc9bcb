//! `/admin`: the operator's page. Sales per concert and tier, the on-sale live (queue, sales a minute,
//! charts; the waiting room's rate), capacity, pause and resume, the newest orders, their CSV, and new
//! concerts. It needs JavaScript: the admin token lives only in the page's memory (not in
//! a cookie, not in storage), and every call sends it in its body; a reload asks for it again.

mod bar_chart;
mod concert_panel;
mod concert_settings;
mod door_admin;
mod door_live;
mod new_concert;
mod on_sale_live;
mod seating_admin;
mod time_zone_field;

use crate::admin_fns::admin_overview;
use concert_panel::ConcertPanel;
use leptos::prelude::*;
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
    let refresh = Callback::new(move |_: ()| {
        overview.dispatch(token.get_untracked());
    });
    let open = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        token.set(draft.get_untracked());
        overview.dispatch(draft.get_untracked());
    };

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
            <div>
                {move || match overview.value().get() {
                    None => None,
                    Some(Err(failure) | Ok(Err(failure))) => {
                        Some(view! { <p class="error" role="alert">{failure.to_string()}</p> }.into_any())
                    }
                    Some(Ok(Ok(concerts))) => {
                        let panels = concerts
                            .into_iter()
                            .map(|sales| view! { <ConcertPanel sales token on_change=refresh /> })
                            .collect_view();
                        Some(panels.into_any())
                    }
                }}
            </div>
            <Show when=move || matches!(overview.value().get(), Some(Ok(Ok(_))))>
                <door_admin::DoorAdmin token />
                <door_live::DoorLive token />
            </Show>
            // Outside the figures, which a refresh redraws: the form keeps its answer across one.
            <Show when=move || matches!(overview.value().get(), Some(Ok(Ok(_))))>
                <NewConcertForm token on_created=refresh />
            </Show>
        </main>
    }
}
