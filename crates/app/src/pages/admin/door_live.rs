//! The door live on the admin page: for a chosen concert, per tier how many of the sold tickets are in and
//! inside now, with totals and a bar, and the conflicts offline scanners recorded (a ticket let in offline
//! that was in already: which device, and the way in that stands). Read every few seconds from the REST
//! API with the operator's token, as the scanners read their counts.

use super::door_admin::call;
use leptos::prelude::*;
use model::{DeviceRef, Redeemed, Tier};
use serde::Deserialize;

/// How often the figures are read again, in milliseconds.
const EVERY_MS: u32 = 5_000;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct TierAtDoor {
    tier: Tier,
    sold: u32,
    checked_in: u32,
    inside: u32,
    conflicts: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Status {
    tiers: Vec<TierAtDoor>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Conflict {
    ticket: String,
    tier: Tier,
    device: DeviceRef,
    scanned_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    first_entry: Option<Redeemed>,
}

#[component]
pub fn DoorLive(token: RwSignal<String>) -> AnyView {
    let (concert, concerts) = super::concert_choice::chosen_concert();
    let status = RwSignal::new(None::<Status>);
    let conflicts = RwSignal::new(Vec::<Conflict>::new());
    let problem = RwSignal::new(None::<String>);
    let load = move || {
        let Some(id) = concert.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            let token = token.get_untracked();
            let figures = call::<Status>("GET", &format!("/api/checkin/status?concert={id}"), &token, None).await;
            let listed =
                call::<Vec<Conflict>>("GET", &format!("/api/admin/checkin/conflicts?concert={id}"), &token, None).await;
            match (figures, listed) {
                (Ok(figures), Ok(listed)) => {
                    problem.try_set(None);
                    status.try_set(Some(figures));
                    conflicts.try_set(listed);
                }
                (Err(message), _) | (_, Err(message)) => {
                    problem.try_set(Some(message));
                }
            }
        });
    };
    super::concert_choice::reload_every(concert, EVERY_MS, load);
    view! {
        <section class="door-live" aria-labelledby="door-live-heading">
            <h2 id="door-live-heading">"At the door, live"</h2>
            <super::concert_choice::ConcertChoice label="Concert" concert concerts />
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            {move || status.get().map(|status| door_table(&status))}
            {move || {
                let listed = conflicts.get();
                if listed.is_empty() {
                    return view! { <p class="door-conflicts-none">"No conflicts from offline scans."</p> }.into_any();
                }
                view! {
                    <h3>{format!("Conflicts from offline scans ({})", listed.len())}</h3>
                    <ul class="door-conflicts">
                        {listed.into_iter().map(|c| {
                            let first = c.first_entry.map(|f| format!("; in first through {} at {}", f.device.name,
                                crate::scanner::time_of_day(f.at))).unwrap_or_default();
                            view! {
                                <li>
                                    <code class="ticket-code">{c.ticket}</code>
                                    {format!(" ({}): let in offline through {} at {}{first}", c.tier.display_name(),
                                        c.device.name, crate::scanner::time_of_day(c.scanned_at))}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}

/// Per tier and in total: sold, checked in (with a bar), inside, conflicts.
fn door_table(status: &Status) -> AnyView {
    let total = status
        .tiers
        .iter()
        .fold((0, 0, 0, 0), |(s, c, i, x), t| (s + t.sold, c + t.checked_in, i + t.inside, x + t.conflicts));
    let row = |name: String, sold: u32, checked_in: u32, inside: u32, conflicts: u32| {
        view! {
            <tr>
                <th scope="row">{name.clone()}</th>
                <td>{sold}</td>
                <td>
                    {checked_in}" "
                    <progress max=sold.max(1).to_string() value=checked_in.to_string()
                        aria-label=format!("{name}: {checked_in} of {sold} checked in")></progress>
                </td>
                <td>{inside}</td>
                <td>{conflicts}</td>
            </tr>
        }
    };
    view! {
        <table class="door-figures">
            {super::concert_panel::column_headings(&["Tier", "Sold", "Checked in", "Inside", "Conflicts"])}
            <tbody>
                {status.tiers.iter().map(|t| row(t.tier.display_name().to_owned(), t.sold, t.checked_in, t.inside,
                    t.conflicts)).collect_view()}
            </tbody>
            <tfoot>{row("Total".to_owned(), total.0, total.1, total.2, total.3)}</tfoot>
        </table>
    }
    .into_any()
}
