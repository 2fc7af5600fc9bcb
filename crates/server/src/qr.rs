//! QR codes for tickets, as SVG for the pages and PNG for the mails (the `qrcode` crate): what a door scanner reads is the ticket's signed code
//! (`model::signed_ticket`), which carries the plain code and lets a scanner without the list check it.

use model::{Order, TicketClaim, TicketSigner};
use qrcode::{render::svg, QrCode};

/// An SVG document encoding `text`, or `None` if it cannot be encoded (never for our ticket codes).
pub fn svg_for(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let svg = code.render::<svg::Color>().min_dimensions(160, 160).quiet_zone(true).build();
    // The XML declaration is for standalone files; the page embeds the `<svg>` element itself.
    let start = svg.find("<svg").unwrap_or(0);
    Some(svg[start..].to_owned())
}

/// A PNG image encoding `text` (for mails: their clients do not show inline SVG), or `None` if it cannot
/// be encoded.
pub fn png_for(text: &str) -> Option<Vec<u8>> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let image = code.render::<image::Luma<u8>>().min_dimensions(240, 240).quiet_zone(true).build();
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png).ok()?;
    Some(png.into_inner())
}

/// `order` with each ticket's signed code and its QR code filled in, for showing it.
pub fn with_qr_codes(order: Order, signer: &TicketSigner) -> Order {
    let mut order = with_signed_codes(order, signer);
    for ticket in &mut order.tickets {
        ticket.qr_svg = ticket.signed_code.as_deref().and_then(svg_for);
    }
    order
}

/// `order` with each ticket's signed code (what its QR code carries) filled in.
pub fn with_signed_codes(mut order: Order, signer: &TicketSigner) -> Order {
    for ticket in &mut order.tickets {
        ticket.signed_code = Some(signer.sign(&TicketClaim {
            code: ticket.code.clone(),
            concert_id: order.concert.id,
            tier: order.tier,
            seat: ticket.seat.clone(),
        }));
    }
    order
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ticket_code_becomes_an_svg() {
        let svg = super::svg_for("T-0123456789abcdef01234567").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    }
}
