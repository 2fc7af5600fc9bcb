//! The venue's time zone on the concert forms: any IANA name, with the usual ones offered as the operator
//! types. The server checks the name; the form's times are read in it.

use leptos::prelude::*;

/// Offered while typing; any other IANA name is accepted too.
const USUAL_ZONES: [&str; 16] = [
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Australia/Sydney",
];

#[component]
pub fn TimeZoneField(id: String, value: String) -> impl IntoView {
    let list = format!("{id}-zones");
    view! {
        <label>
            "Time zone of the venue"
            <input name="time_zone" id=id value=value list=list.clone() autocomplete="off" spellcheck="false" />
        </label>
        <datalist id=list>
            {USUAL_ZONES.into_iter().map(|zone| view! { <option value=zone></option> }).collect_view()}
        </datalist>
    }
}
