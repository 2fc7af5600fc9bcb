//! The buyers' mails and the waiting lists on the admin page: how many mails are queued, out, waiting for
//! another try or given up (the newest with why their last try failed), and for a chosen concert who waits
//! for which tier and what became of their offers. Read every few seconds from the REST API with the
//! operator's token, as the door's figures are.

use super::door_admin::call;
use leptos::prelude::*;
use model::{mail::MailStatus, sale::EntryState, Tier};
use serde::Deserialize;
use std::collections::BTreeMap;

const EVERY_MS: u32 = 5_000;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct MailLine {
    kind: model::mail::MailKind,
    order_code: Option<String>,
    recipient: String,
    status: MailStatus,
    attempts: u32,
    queued_at: chrono::DateTime<chrono::Utc>,
    last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Mails {
    counts: BTreeMap<String, i64>,
    recent: Vec<MailLine>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Entry {
    tier: Tier,
    place: u64,
    quantity: u32,
    email: String,
    state: EntryState,
}

#[component]
pub fn InboxAdmin(token: RwSignal<String>) -> AnyView {
    let (concert, concerts) = super::concert_choice::chosen_concert();
    let mails = RwSignal::new(None::<Mails>);
    let entries = RwSignal::new(Vec::<Entry>::new());
    let problem = RwSignal::new(None::<String>);
    let load = move || {
        let Some(id) = concert.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            let token = token.get_untracked();
            let outbox = call::<Mails>("GET", "/api/admin/mails?limit=10", &token, None).await;
            let listed = call::<Vec<Entry>>("GET", &format!("/api/admin/waitlist?concert={id}"), &token, None).await;
            match (outbox, listed) {
                (Ok(outbox), Ok(listed)) => {
                    problem.try_set(None);
                    mails.try_set(Some(outbox));
                    entries.try_set(listed);
                }
                (Err(message), _) | (_, Err(message)) => {
                    problem.try_set(Some(message));
                }
            }
        });
    };
    super::concert_choice::reload_every(concert, EVERY_MS, load);
    view! {
        <section class="inbox-admin" aria-labelledby="inbox-admin-heading">
            <h2 id="inbox-admin-heading">"Mails and waiting lists"</h2>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            {move || mails.get().map(|mails| mail_view(&mails))}
            <super::concert_choice::ConcertChoice label="Waiting lists of" concert concerts />
            {move || waitlist_view(&entries.get())}
        </section>
    }
    .into_any()
}

fn mail_view(mails: &Mails) -> AnyView {
    let counts = MailStatus::ALL
        .iter()
        .map(|status| {
            let count = mails.counts.get(status.code()).copied().unwrap_or(0);
            view! { <li>{format!("{}: {count}", capitalised(status.code()))}</li> }
        })
        .collect_view();
    let rows = mails
        .recent
        .iter()
        .map(|mail| {
            view! {
                <tr>
                    <td>{crate::scanner::time_of_day(mail.queued_at)}</td>
                    <td>{kind_words(mail.kind)}</td>
                    <td><code class="ticket-code">{mail.order_code.clone().unwrap_or_default()}</code></td>
                    <td class="recipient">{mail.recipient.clone()}</td>
                    <td>{capitalised(mail.status.code())}</td>
                    <td>{mail.attempts}</td>
                    <td>{mail.last_error.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"Mails to buyers"</h3>
        <ul class="mail-counts">{counts}</ul>
        <div class="table-scroll">
            <table class="mail-recent">
                {super::concert_panel::column_headings(&["Queued", "Mail", "Order", "To", "State", "Tries", "Last error"])}
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn waitlist_view(entries: &[Entry]) -> AnyView {
    if entries.is_empty() {
        return view! { <p class="waitlist-none">"Nobody is on this concert's waiting lists."</p> }.into_any();
    }
    let rows = entries
        .iter()
        .map(|entry| {
            view! {
                <tr>
                    <th scope="row">{entry.tier.display_name()}</th>
                    <td>{entry.place}</td>
                    <td>{entry.quantity}</td>
                    <td class="recipient">{entry.email.clone()}</td>
                    <td>{capitalised(entry.state.code())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="waitlist-entries">
                {super::concert_panel::column_headings(&["Tier", "Place", "Tickets", "Email", "State"])}
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn kind_words(kind: model::mail::MailKind) -> &'static str {
    use model::mail::MailKind;
    match kind {
        MailKind::OrderConfirmed => "Confirmation",
        MailKind::OrderCancelled => "Cancellation",
        MailKind::WaitlistOffer => "Waiting-list offer",
        MailKind::OrdersFound => "Their orders",
    }
}

fn capitalised(code: &str) -> String {
    let mut chars = code.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
