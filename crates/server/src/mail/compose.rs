//! A mail as it goes out: plain text and HTML (minijinja templates, HTML escaped); an order's confirmation
//! with each ticket's QR code as an inline PNG the HTML shows, the PDF tickets and the calendar file
//! attached; a waiting-list offer with the link to pay it; the list of a buyer's orders. Composed from the
//! records as they are when the mail is sent, so a concert the operator moved goes out with its new time.

use super::MailSettings;
use crate::store::outbox::ClaimedMail;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use minijinja::{context, Environment};
use model::{mail::MailKind, Hold, Order};
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
        ("waitlist_offer.txt", include_str!("../../templates/mail/waitlist_offer.txt")),
        ("waitlist_offer.html", include_str!("../../templates/mail/waitlist_offer.html")),
        ("orders_found.txt", include_str!("../../templates/mail/orders_found.txt")),
        ("orders_found.html", include_str!("../../templates/mail/orders_found.html")),
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

/// What a mail tells of, read for it.
pub enum About {
    /// The order (with its tickets' signed codes filled in) of a confirmation or cancellation.
    Order(Order),
    /// The hold of a waiting-list offer.
    Offer(Hold),
    /// Every order of the address, newest first.
    Orders(Vec<Order>),
}

/// The mail for `claimed`, about what it tells of.
pub fn compose(claimed: &ClaimedMail, about: &About, settings: &MailSettings) -> Result<Message, String> {
    match (claimed.kind, about) {
        (MailKind::OrderConfirmed | MailKind::OrderCancelled, About::Order(order)) => {
            compose_order(claimed, order, settings)
        }
        (MailKind::WaitlistOffer, About::Offer(hold)) => compose_offer(claimed, hold, settings),
        (MailKind::OrdersFound, About::Orders(orders)) => compose_orders_found(claimed, orders, settings),
        (kind, _) => Err(format!("a {} mail was given the wrong record", kind.code())),
    }
}

fn render(template: &str, values: &minijinja::Value) -> Result<(String, String), String> {
    let render = |suffix: &str| {
        TEMPLATES
            .get_template(&format!("{template}.{suffix}"))
            .and_then(|template| template.render(values))
            .map_err(|error| format!("the mail template {template}.{suffix} failed: {error}"))
    };
    Ok((render("txt")?, render("html")?))
}

/// From the shop, to the row's recipient, with the row's own Message-ID.
fn envelope(
    claimed: &ClaimedMail,
    subject: String,
    settings: &MailSettings,
) -> Result<lettre::message::MessageBuilder, String> {
    let to: Mailbox = claimed.recipient.parse().map_err(|error| format!("the buyer's address is not one: {error}"))?;
    Ok(Message::builder()
        .from(settings.from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id(claimed.id, &settings.from))))
}

fn compose_offer(claimed: &ClaimedMail, hold: &Hold, settings: &MailSettings) -> Result<Message, String> {
    let concert = &hold.concert;
    // The offer's end by the venue's clocks as they will read then (a DST change may lie between).
    let until_zone = model::ZoneAt::of(&concert.zone.name, hold.expires_at);
    let values = context! {
        buyer => hold.buyer_name.clone().unwrap_or_else(|| "there".to_owned()),
        concert => concert.name.clone(),
        when => model::when::venue_date_time(concert.starts_at, &concert.zone),
        venue => concert.venue.clone(),
        quantity => hold.quantity,
        tier => hold.tier.display_name(),
        total => hold.total_cents.to_string(),
        until => model::when::venue_date_time(hold.expires_at, &until_zone),
        link => format!("{}/checkout/{}", settings.public_url, hold.id),
    };
    let (text, html) = render("waitlist_offer", &values)?;
    envelope(claimed, format!("Tickets for {} are yours to buy", concert.name), settings)?
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|error| format!("the mail could not be put together: {error}"))
}

/// An order as the list of a buyer's orders shows it.
#[derive(Serialize)]
struct OrderLine {
    concert: String,
    when: String,
    quantity: u32,
    tier: &'static str,
    code: String,
    status: &'static str,
    link: String,
}

fn compose_orders_found(claimed: &ClaimedMail, orders: &[Order], settings: &MailSettings) -> Result<Message, String> {
    let lines: Vec<OrderLine> = orders
        .iter()
        .map(|order| OrderLine {
            concert: order.concert.name.clone(),
            when: model::when::venue_date_time(order.concert.starts_at, &order.concert.zone),
            quantity: order.quantity,
            tier: order.tier.display_name(),
            code: order.code.clone(),
            status: order.status.label(),
            link: format!("{}{}", settings.public_url, order.page_path()),
        })
        .collect();
    let values = context! { orders => minijinja::value::Value::from(minijinja::value::Serde(&lines)) };
    let (text, html) = render("orders_found", &values)?;
    envelope(claimed, "Your orders".to_owned(), settings)?
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|error| format!("the mail could not be put together: {error}"))
}

fn compose_order(claimed: &ClaimedMail, order: &Order, settings: &MailSettings) -> Result<Message, String> {
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
        _ => ("order_cancelled", format!("Order {} cancelled and refunded", order.code)),
    };
    let (text, html) = render(template, &values)?;
    let builder = envelope(claimed, subject, settings)?;
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
        _ => MultiPart::mixed()
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
