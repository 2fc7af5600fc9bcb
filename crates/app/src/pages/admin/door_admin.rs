//! The door on the admin page: scanner devices (create one and read its one-time pairing code out to door
//! staff, revoke one), and each concert's counts at the door. Calls the REST API from the browser with the
//! operator's token in the `Authorization` header (never in a URL).

use leptos::prelude::*;
use serde::Deserialize;

/// A device as `GET /api/admin/devices` lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct DeviceLine {
    id: i64,
    name: String,
    #[serde(default)]
    paired_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    last_seen_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A device just created, with the code shown this once.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Created {
    name: String,
    pairing_code: String,
    #[serde(default)]
    pairing_qr_svg: Option<String>,
}

#[cfg(feature = "hydrate")]
pub(super) async fn call<T: serde::de::DeserializeOwned>(
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Result<T, String> {
    use gloo_net::http::RequestBuilder;
    let request = RequestBuilder::new(path)
        .method(method.parse().map_err(|_| "a bad method".to_owned())?)
        .header("Authorization", &format!("Bearer {token}"));
    let request = match body {
        Some(body) => request.json(&body).map_err(|e| e.to_string())?,
        None => request.build().map_err(|e| e.to_string())?,
    };
    let response = request.send().await.map_err(|_| "no connection to the server: try again".to_owned())?;
    if !response.ok() {
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        return Err(body["message"].as_str().unwrap_or("the server refused").to_owned());
    }
    response.json().await.map_err(|e| e.to_string())
}

#[cfg(not(feature = "hydrate"))]
pub(super) async fn call<T>(_: &str, _: &str, _: &str, _: Option<serde_json::Value>) -> Result<T, String> {
    Err("only in the browser".into())
}

#[component]
pub fn DoorAdmin(token: RwSignal<String>) -> AnyView {
    let devices = RwSignal::new(Vec::<DeviceLine>::new());
    let created = RwSignal::new(None::<Created>);
    let problem = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match call::<Vec<DeviceLine>>("GET", "/api/admin/devices", &token.get_untracked(), None).await {
                Ok(list) => devices.set(list),
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    Effect::new(move |_| reload());
    // Each device's last scan, kept current while the page is open.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            while devices.try_get_untracked().is_some() {
                gloo_timers::future::TimeoutFuture::new(10_000).await;
                if devices.try_get_untracked().is_some() {
                    reload();
                }
            }
        });
    });
    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let body = serde_json::json!({ "name": name.get_untracked() });
        leptos::task::spawn_local(async move {
            match call::<Created>("POST", "/api/admin/devices", &token.get_untracked(), Some(body)).await {
                Ok(device) => {
                    problem.set(None);
                    name.set(String::new());
                    created.set(Some(device));
                    reload();
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    let revoke = move |id: i64| {
        leptos::task::spawn_local(async move {
            let path = format!("/api/admin/devices/{id}");
            match call::<serde_json::Value>("DELETE", &path, &token.get_untracked(), None).await {
                Ok(_) => reload(),
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    view! {
        <section class="door-admin" aria-labelledby="door-admin-heading">
            <h2 id="door-admin-heading">"Door scanners"</h2>
            <form class="inline" on:submit=create>
                <label>"Device name" <input type="text" name="device_name" bind:value=name required maxlength="80" /></label>
                <button type="submit" class="secondary">"Add a scanner"</button>
            </form>
            <div aria-live="polite">
                {move || created.get().map(|device| view! {
                    <p class="notice pairing" role="status">
                        {format!("Pairing code for {}: ", device.name)}
                        <strong class="pairing-code">{device.pairing_code}</strong>
                        ". Open /scan on the device and enter it, or read this QR code with its camera (valid for a \
                         day, once)."
                    </p>
                    {device.pairing_qr_svg.map(|svg| view! {
                        <div class="pairing-qr" role="img" aria-label="The pairing code as a QR code" inner_html=svg></div>
                    })}
                })}
                {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            </div>
            <table class="admin-devices">
                {super::concert_panel::column_headings(&["Device", "Paired", "Last scan", "Access"])}
                <tbody>
                    {move || devices.get().into_iter().map(|device| {
                        let id = device.id;
                        // On the operator's clock, as the scanners show theirs.
                        let when = |at: chrono::DateTime<chrono::Utc>| crate::scanner::time_of_day(at);
                        let state = match (device.revoked_at, device.paired_at) {
                            (Some(at), _) => format!("revoked at {}", when(at)),
                            (None, Some(at)) => format!("paired at {}", when(at)),
                            (None, None) => "not yet".to_owned(),
                        };
                        let revoked = device.revoked_at.is_some();
                        view! {
                            <tr data-device=id>
                                <td>{device.name}</td>
                                <td>{state}</td>
                                <td>{device.last_seen_at.map_or_else(|| "never".to_owned(), when)}</td>
                                <td>
                                    // Drawn or not rather than `hidden`: the buttons' own display would show it.
                                    {(!revoked).then(|| view! {
                                        <button type="button" class="secondary" on:click=move |_| revoke(id)>"Revoke"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
