//! The PDF tickets attached to a confirmation: one A4 page a ticket with the concert, the venue's time, the
//! seat, the codes and the QR code the door scans, drawn as vector squares (sharp at any print size).
//! pdf-writer writes the file; the text is set in the PDF's built-in Helvetica, so nothing is embedded.

use model::{Order, Ticket};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, QrCode};

const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;
const QR_SIDE: f32 = 280.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// `order`'s tickets as one PDF document, one page each.
pub fn tickets_pdf(order: &Order) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, regular, bold) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4));
    let pages: Vec<(Ref, Ref)> =
        (0..order.tickets.len() as i32).map(|i| (Ref::new(10 + 2 * i), Ref::new(11 + 2 * i))).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(pages.iter().map(|(page, _)| *page)).count(pages.len() as i32);
    // WinAnsi: the built-in fonts' encoding that has the shop's characters (×, –, accented names).
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    for (ticket, (page_id, content_id)) in order.tickets.iter().zip(&pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1)).parent(tree).contents(*content_id);
        page.resources().fonts().pair(REGULAR, regular).pair(BOLD, bold);
        page.finish();
        pdf.stream(*content_id, &ticket_page(order, ticket).finish());
    }
    pdf.finish()
}

fn ticket_page(order: &Order, ticket: &Ticket) -> Content {
    let concert = &order.concert;
    let mut content = Content::new();
    let mut y = PAGE.1 - MARGIN - 24.0;
    let mut line = |content: &mut Content, font: Name, size: f32, text: &str, gap: f32| {
        content.begin_text().set_font(font, size).next_line(MARGIN, y).show(Str(&win_ansi(text))).end_text();
        y -= size + gap;
    };
    line(&mut content, REGULAR, 11.0, &format!("Ticket {} of {}", ticket.number, order.tickets.len()), 20.0);
    line(&mut content, BOLD, 24.0, &concert.name, 10.0);
    line(&mut content, REGULAR, 14.0, &model::when::venue_date_time(concert.starts_at, &concert.zone), 6.0);
    line(&mut content, REGULAR, 14.0, &concert.venue, 18.0);
    line(&mut content, BOLD, 16.0, order.tier.display_name(), 6.0);
    if let Some(seat) = &ticket.seat {
        line(&mut content, REGULAR, 14.0, &format!("{}, row {}, seat {}", seat.zone, seat.row, seat.number), 6.0);
    }
    if let Some(name) = &order.buyer_name {
        line(&mut content, REGULAR, 12.0, &format!("For {name}"), 6.0);
    }
    line(&mut content, REGULAR, 11.0, &format!("Ticket {}  ·  order {}", ticket.code, order.code), 0.0);
    let top = y - 24.0;
    draw_qr(&mut content, ticket.signed_code.as_deref().unwrap_or(&ticket.code), MARGIN, top - QR_SIDE);
    let hint = "Show this page at the door (printed or on a screen): the QR code lets one person in.";
    content
        .begin_text()
        .set_font(REGULAR, 11.0)
        .next_line(MARGIN, top - QR_SIDE - 28.0)
        .show(Str(&win_ansi(hint)))
        .end_text();
    content
}

/// The QR code of `text` as black squares, its lower left corner at (`x`, `y`), with its quiet zone.
fn draw_qr(content: &mut Content, text: &str, x: f32, y: f32) {
    let Ok(code) = QrCode::new(text.as_bytes()) else { return };
    let width = code.width();
    let module = QR_SIDE / (width + 8) as f32;
    content.set_fill_gray(0.0);
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (column, row) = ((index % width) as f32, (index / width) as f32);
            content.rect(x + (column + 4.0) * module, y + QR_SIDE - (row + 5.0) * module, module, module);
        }
    }
    content.fill_nonzero();
}

/// `text` in WinAnsiEncoding; a character it lacks becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            '–' => 0x96,
            '—' => 0x97,
            '’' => 0x92,
            '‘' => 0x91,
            '“' => 0x93,
            '”' => 0x94,
            '…' => 0x85,
            '€' => 0x80,
            _ => b'?',
        })
        .collect()
}
