//! The door scanner's browser side: the paired device (its token kept in this browser's `localStorage`, as
//! a door phone must survive a reload; never in a URL), the REST calls it makes with that token
//! (`/api/devices/pair`, `/api/checkin/redeem`, `/api/checkin/status`; the offline copy is in
//! `scanner_offline.rs`), the camera read frame by frame and
//! decoded in WASM (`rqrr`: no decoder fetched from anywhere, the same on every browser), and a beep.
//!
//! Everything here runs only in the browser; on the server the functions are inert.

use model::ScanVerdict;
use serde::{Deserialize, Serialize};

/// This browser's scanner device, as pairing gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDevice {
    pub device_id: i64,
    pub name: String,
    pub token: String,
}

/// Why a scan got no verdict.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScanFailed {
    #[error("No connection to the box office, and no ticket list on this device yet: the scan was not recorded.")]
    Offline,
    #[error("This device was revoked or is unknown: pair it again.")]
    NotPaired,
    #[error("{0}")]
    Refused(String),
}

/// The door's counts for a concert, summed over its tiers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counts {
    pub sold: u64,
    pub checked_in: u64,
    pub inside: u64,
}

#[cfg(feature = "hydrate")]
const KEY: &str = "boxoffice.scanner";

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The device this browser paired, if any.
pub fn stored() -> Option<PairedDevice> {
    #[cfg(feature = "hydrate")]
    {
        serde_json::from_str(&storage()?.get_item(KEY).ok()??).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

pub fn store(device: &PairedDevice) {
    #[cfg(feature = "hydrate")]
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(device)) {
        let _ = storage.set_item(KEY, &text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = device;
}

pub fn forget() {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

/// A nonce for one scan: a random UUID from the browser's CSPRNG.
pub fn nonce() -> String {
    #[cfg(feature = "hydrate")]
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        return crypto.random_uuid();
    }
    String::new()
}

#[cfg(feature = "hydrate")]
async fn answer_error(response: gloo_net::http::Response) -> ScanFailed {
    match response.status() {
        401 => ScanFailed::NotPaired,
        _ => {
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            ScanFailed::Refused(body["message"].as_str().unwrap_or("The box office refused the scan.").to_owned())
        }
    }
}

/// Trades a pairing code for this browser's device.
pub async fn pair(code: String) -> Result<PairedDevice, ScanFailed> {
    #[cfg(feature = "hydrate")]
    {
        let body = serde_json::json!({ "pairing_code": code.trim() });
        let request =
            gloo_net::http::Request::post("/api/devices/pair").json(&body).map_err(|_| ScanFailed::Offline)?;
        let response = request.send().await.map_err(|_| ScanFailed::Offline)?;
        if response.status() != 201 {
            return Err(answer_error(response).await);
        }
        response.json().await.map_err(|_| ScanFailed::Offline)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = code;
        Err(ScanFailed::Offline)
    }
}

/// Scans `ticket` in at `concert`, `nonce` new for the scan (kept if it goes to the offline queue).
pub async fn redeem(device: &PairedDevice, concert: i64, ticket: &str, nonce: &str) -> Result<ScanVerdict, ScanFailed> {
    #[cfg(feature = "hydrate")]
    {
        let body = serde_json::json!({ "ticket": ticket, "concert_id": concert, "nonce": nonce });
        let request = gloo_net::http::Request::post("/api/checkin/redeem")
            .header("Authorization", &format!("Bearer {}", device.token))
            .json(&body)
            .map_err(|_| ScanFailed::Offline)?;
        let response = request.send().await.map_err(|_| ScanFailed::Offline)?;
        if response.status() != 200 {
            return Err(answer_error(response).await);
        }
        response.json().await.map_err(|_| ScanFailed::Offline)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (device, concert, ticket, nonce);
        Err(ScanFailed::Offline)
    }
}

/// The door's counts for `concert`.
pub async fn counts(device: &PairedDevice, concert: i64) -> Option<Counts> {
    #[cfg(feature = "hydrate")]
    {
        let response = gloo_net::http::Request::get(&format!("/api/checkin/status?concert={concert}"))
            .header("Authorization", &format!("Bearer {}", device.token))
            .send()
            .await
            .ok()?;
        let body: serde_json::Value = response.json().await.ok()?;
        let mut counts = Counts::default();
        for tier in body["tiers"].as_array()? {
            counts.sold += tier["sold"].as_u64().unwrap_or(0);
            counts.checked_in += tier["checked_in"].as_u64().unwrap_or(0);
            counts.inside += tier["inside"].as_u64().unwrap_or(0);
        }
        Some(counts)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (device, concert);
        None
    }
}

/// The concerts a door may scan for: every concert the shop lists, `(id, "name, date")`.
pub async fn concerts() -> Vec<(i64, String)> {
    #[cfg(feature = "hydrate")]
    {
        let Ok(response) = gloo_net::http::Request::get("/api/concerts").send().await else { return Vec::new() };
        let concerts: Vec<model::Concert> = response.json().await.unwrap_or_default();
        concerts.iter().map(|c| (c.id, model::when::concert_line(&c.title()))).collect()
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// `at` as the time of day on this device's clock (the door is where the device is).
pub fn time_of_day(at: chrono::DateTime<chrono::Utc>) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        String::from(date.to_locale_time_string("default"))
    }
    #[cfg(not(feature = "hydrate"))]
    at.format("%H:%M:%S UTC").to_string()
}

/// Now, as the time of day on this device's clock (`chrono`'s clock does not run in the browser).
pub fn time_of_day_now() -> String {
    #[cfg(feature = "hydrate")]
    {
        String::from(js_sys::Date::new_0().to_locale_time_string("default"))
    }
    #[cfg(not(feature = "hydrate"))]
    time_of_day(chrono::Utc::now())
}

/// A short beep: high for a ticket let in, low for one turned away (door staff hear it without looking).
pub fn beep(admitted: bool) {
    #[cfg(feature = "hydrate")]
    {
        let Ok(context) = web_sys::AudioContext::new() else { return };
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else { return };
        oscillator.frequency().set_value(if admitted { 880.0 } else { 220.0 });
        gain.gain().set_value(0.2);
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let now = context.current_time();
        let _ = oscillator.start();
        let _ = oscillator.stop_with_when(now + if admitted { 0.15 } else { 0.45 });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = admitted;
}

/// The QR code's text in a frame of `width` × `height` RGBA pixels, if it holds one.
pub fn decode_rgba(width: usize, height: usize, rgba: &[u8]) -> Option<String> {
    if rgba.len() < width * height * 4 {
        return None;
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let i = (y * width + x) * 4;
        // Rec. 601 luma, in integers.
        ((u32::from(rgba[i]) * 299 + u32::from(rgba[i + 1]) * 587 + u32::from(rgba[i + 2]) * 114) / 1000) as u8
    });
    image.detect_grids().into_iter().find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

/// The camera, read a frame every few hundred milliseconds into a canvas and decoded.
#[cfg(feature = "hydrate")]
pub mod camera {
    use wasm_bindgen::{JsCast, JsValue};

    /// Starts the back camera on `video`; resolves once it plays.
    pub async fn start(video: &web_sys::HtmlVideoElement) -> Result<(), String> {
        let window = web_sys::window().ok_or("no window")?;
        let devices = window.navigator().media_devices().map_err(|_| "this browser has no camera access")?;
        let constraints = web_sys::MediaStreamConstraints::new();
        let facing = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&facing, &"facingMode".into(), &"environment".into());
        constraints.set_video(&facing.into());
        let promise = devices.get_user_media_with_constraints(&constraints).map_err(describe)?;
        let stream: web_sys::MediaStream =
            wasm_bindgen_futures::JsFuture::from(promise).await.map_err(describe)?.unchecked_into();
        video.set_src_object(Some(&stream));
        video.set_muted(true);
        let _ = video.set_attribute("playsinline", "");
        if let Ok(playing) = video.play() {
            let _ = wasm_bindgen_futures::JsFuture::from(playing).await;
        }
        Ok(())
    }

    pub fn stop(video: &web_sys::HtmlVideoElement) {
        if let Some(stream) = video.src_object().and_then(|s| s.dyn_into::<web_sys::MediaStream>().ok()) {
            for track in stream.get_tracks().iter() {
                if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                    track.stop();
                }
            }
        }
        video.set_src_object(None);
    }

    fn describe(error: JsValue) -> String {
        let name = js_sys::Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" => "the camera was not allowed: allow it in the browser's settings".into(),
            "NotFoundError" => "this device has no camera".into(),
            _ => "the camera could not be started".into(),
        }
    }

    /// The code in the video's current frame, if any.
    pub fn read(video: &web_sys::HtmlVideoElement, canvas: &web_sys::HtmlCanvasElement) -> Option<String> {
        let (width, height) = (video.video_width(), video.video_height());
        if width == 0 || height == 0 {
            return None;
        }
        // Frames are scaled down to at most 640 wide: enough for a ticket held up to the camera.
        let scale = (640.0 / f64::from(width)).min(1.0);
        let (w, h) = ((f64::from(width) * scale) as u32, (f64::from(height) * scale) as u32);
        canvas.set_width(w);
        canvas.set_height(h);
        let context: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        context.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, f64::from(w), f64::from(h)).ok()?;
        let frame = context.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)).ok()?;
        super::decode_rgba(w as usize, h as usize, &frame.data())
    }
}

#[cfg(test)]
mod tests {
    /// `text` as a QR code drawn black on white, `scale` pixels a module, with a quiet zone, as RGBA.
    fn frame(text: &str, scale: usize) -> (usize, Vec<u8>) {
        let code = qrcode::QrCode::new(text.as_bytes()).expect("encodable");
        let modules = code.width();
        let colors = code.to_colors();
        let side = (modules + 8) * scale;
        let mut rgba = vec![255u8; side * side * 4];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
                if mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark {
                    rgba[(y * side + x) * 4..][..3].copy_from_slice(&[0, 0, 0]);
                }
            }
        }
        (side, rgba)
    }

    #[test]
    fn a_ticket_code_reads_back_from_a_camera_frame() {
        let code = "T-019ad2e1c3f0a1b2c3d4e5f6a7b8c9d0e1f2";
        let (side, rgba) = frame(code, 4);
        assert_eq!(super::decode_rgba(side, side, &rgba).as_deref(), Some(code));
    }

    #[test]
    fn a_frame_without_a_code_reads_as_none() {
        let blank = vec![255u8; 64 * 48 * 4];
        assert_eq!(super::decode_rgba(64, 48, &blank), None);
        assert_eq!(super::decode_rgba(64, 48, &blank[..10]), None, "a short frame is refused, not read past");
    }
}
