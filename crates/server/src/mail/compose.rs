//! A mail as it goes out: plain text and HTML (minijinja templates, HTML escaped), each ticket's QR code
//! as an inline PNG the HTML shows, the PDF tickets and the calendar file attached. Composed from the order
//! as it is when the mail is sent, so a concert the operator moved goes out with its new time.

use super::MailSettings;
use crate::store::outbox::ClaimedMail;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use minijinja::{context, Environment};
use model::{mail::MailKind, Order};
use serde::Serialize;
use std::sync::LazyLock;

/// The templates, read into the binary: `.html` ones are escaped by minijinja (its default for the name).
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut templates = Environment::new();
    let sources = [
        ("order_confirmed.txt", include_str!("../../templates/mail/order_confirmed.txt")),
        ("order_confirmed.html", include_str!("../../templates/mail/order_confirmed.html")),
        ("order_cancelled.txt", include_str!("../../templates/mail/order_cancelled.txt")),
        ("order_cancelled.html", include_str!("../../templates/mail/order_cancelled.html")),
    ];
    for (name, source) in sources {
        templates.add_template(name, source).expect("the mail templates parse (mail_outbox.rs renders each)");
    }
    templates
});

/// A ticket as the templates show it.
#[derive(Serialize)]
struct TicketLine {
    number: u32,
    code: String,
    seat: Option<String>,
    /// The Content-ID of its QR image.
    image: String,
}

/// The outbox row's own Message-ID: a retry after an unknown outcome (the connection dropped after the
/// server took the mail) sends the same ID, so the receiving side can tell it is the same message.
pub fn message_id(mail_id: i64, from: &Mailbox) -> String {
    format!("<outbox-{mail_id}@{}>", from.email.domain())
}

/// The mail for `claimed`, about `order` (with its tickets' signed codes filled in).
pub fn compose(claimed: &ClaimedMail, order: &Order, settings: &MailSettings) -> Result<Message, String> {
    let tickets: Vec<TicketLine> = order
        .tickets
        .iter()
        .map(|ticket| TicketLine {
            number: ticket.number,
            code: ticket.code.clone(),
            seat: ticket.seat.as_ref().map(|seat| format!("{}, row {}, seat {}", seat.zone, seat.row, seat.number)),
            image: format!("ticket-{}@boxoffice", ticket.number),
        })
        .collect();
    let concert = &order.concert;
    let values = context! {
        buyer => order.buyer_name.clone().unwrap_or_else(|| "there".to_owned()),
        code => order.code.clone(),
        concert => concert.name.clone(),
        when => model::when::venue_date_time(concert.starts_at, &concert.zone),
        venue => concert.venue.clone(),
        quantity => order.quantity,
        tier => order.tier.display_name(),
        total => order.total_cents.to_string(),
        tickets => minijinja::value::Value::from(minijinja::value::Serde(&tickets)),
        link => format!("{}{}", settings.public_url, order.page_path()),
    };
    let (template, subject) = match claimed.kind {
        MailKind::OrderConfirmed => ("order_confirmed", format!("Your tickets for {}", concert.name)),
        MailKind::OrderCancelled => ("order_cancelled", format!("Order {} cancelled and refunded", order.code)),
    };
    let render = |suffix: &str| {
        TEMPLATES
            .get_template(&format!("{template}.{suffix}"))
            .and_then(|template| template.render(&values))
            .map_err(|error| format!("the mail template {template}.{suffix} failed: {error}"))
    };
    let (text, html) = (render("txt")?, render("html")?);
    let to: Mailbox = claimed.recipient.parse().map_err(|error| format!("the buyer's address is not one: {error}"))?;
    let builder = Message::builder()
        .from(settings.from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id(claimed.id, &settings.from)));
    let alternative = MultiPart::alternative().singlepart(SinglePart::plain(text));
    let body = match claimed.kind {
        MailKind::OrderConfirmed => {
            let mut related = MultiPart::related().singlepart(SinglePart::html(html));
            for (ticket, line) in order.tickets.iter().zip(&tickets) {
                let signed = ticket.signed_code.as_deref().unwrap_or(&ticket.code);
                let png = crate::qr::png_for(signed).ok_or("a ticket's QR code could not be drawn")?;
                related = related.singlepart(Attachment::new_inline(line.image.clone()).body(png, png_type()));
            }
            let pdf = super::ticket_pdf::tickets_pdf(order);
            MultiPart::mixed()
                .multipart(alternative.multipart(related))
                .singlepart(Attachment::new(format!("tickets-{}.pdf", order.code)).body(pdf, pdf_type()))
                .singlepart(calendar_part(order))
        }
        MailKind::OrderCancelled => MultiPart::mixed()
            .multipart(alternative.singlepart(SinglePart::html(html)))
            .singlepart(calendar_part(order)),
    };
    builder.multipart(body).map_err(|error| format!("the mail could not be put together: {error}"))
}

/// The order as a calendar event (cancelled once the order is), attached.
fn calendar_part(order: &Order) -> SinglePart {
    Attachment::new(format!("{}.ics", order.code)).body(crate::calendar::order_calendar(order), calendar_type())
}

fn png_type() -> ContentType {
    ContentType::parse("image/png").expect("a valid media type")
}

fn pdf_type() -> ContentType {
    ContentType::parse("application/pdf").expect("a valid media type")
}

fn calendar_type() -> ContentType {
    ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH").expect("a valid media type")
}
