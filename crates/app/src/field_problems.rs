//! A form's problems shown beside their fields, all at once, before anything is sent: the model checks
//! each field (`form_check.rs`), the page marks the field (`aria-invalid`, its message by
//! `aria-describedby`) and puts the first under the buyer's eyes and cursor. Without JavaScript the server
//! answers as before, one refusal at a time.

use leptos::prelude::*;
use model::{BookingError, FormField};

/// The problems the page found in one form, by field (empty: none, or not checked yet).
pub type FieldProblems = RwSignal<Vec<(FormField, String)>>;

/// The id of the message beside `field`.
pub fn message_id(field: FormField) -> String {
    format!("{}-problem", field.name())
}

/// Whether `field` has a problem now.
pub fn has_problem(problems: FieldProblems, field: FormField) -> bool {
    problems.read().iter().any(|(f, _)| *f == field)
}

/// `aria-invalid` for `field`'s input.
pub fn invalid(problems: FieldProblems, field: FormField) -> impl Fn() -> Option<&'static str> + Copy {
    move || has_problem(problems, field).then_some("true")
}

/// `aria-describedby` for `field`'s input: its message while it has one.
pub fn described_by(problems: FieldProblems, field: FormField) -> impl Fn() -> Option<String> + Copy {
    move || has_problem(problems, field).then(|| message_id(field))
}

/// The message beside `field`, when it has one.
#[component]
pub fn FieldProblem(problems: FieldProblems, field: FormField) -> impl IntoView {
    let text = move || problems.read().iter().find(|(f, _)| *f == field).map(|(_, text)| text.clone());
    view! {
        <span class="field-problem" id=message_id(field) hidden=move || text().is_none()>{text}</span>
    }
}

/// A text input of a checked form, its label, and its problem under it. Its `name` is the field's.
#[component]
pub fn CheckedInput(
    label: &'static str,
    field: FormField,
    problems: FieldProblems,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    /// Across the whole row of fields.
    #[prop(optional)]
    wide: bool,
) -> impl IntoView {
    view! {
        <div class="field" class:wide=wide>
            <label>
                {label}
                <input type=kind name=field.name() autocomplete=autocomplete inputmode=inputmode placeholder=placeholder
                    required aria-invalid=invalid(problems, field) aria-describedby=described_by(problems, field) />
            </label>
            <FieldProblem problems field />
        </div>
    }
}

/// Checks the form of the submit button `click` came from with `check` (given the form's value of each
/// field); with problems, the submission is stopped, each shown by its field, the first focused and
/// scrolled into view.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn check_before_sending(
    click: &leptos::ev::MouseEvent,
    problems: FieldProblems,
    check: impl Fn(&dyn Fn(FormField) -> String) -> Vec<(FormField, BookingError)>,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(form) = click
            .current_target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .and_then(|button| button.form())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
        let value = |field: FormField| data.get(field.name()).as_string().unwrap_or_default();
        let found: Vec<(FormField, String)> = check(&value)
            .into_iter()
            .map(|(field, error)| (field, crate::text::sentence(&error.to_string())))
            .collect();
        let first = found.first().map(|(field, _)| *field);
        problems.set(found);
        if let Some(first) = first {
            click.prevent_default();
            let selector = format!("[name='{}']", first.name());
            if let Some(input) =
                form.query_selector(&selector).ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                // Centred, so its label and message show too (a phone's keyboard takes the lower half).
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Center);
                input.scroll_into_view_with_scroll_into_view_options(&options);
                let _ = input.focus();
            }
        }
    }
}

/// Brings the element `selector` finds into view (a refusal the server sent, under the form).
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn reveal(selector: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(element) = document().query_selector(selector).ok().flatten() {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}
