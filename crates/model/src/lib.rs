//! The boxoffice domain, shared by the server and the browser (WASM).
//!
//! Values here are *parsed*, not validated later: a [`Quantity`], [`UserId`] or [`Tier`] that exists is
//! valid, so the REST handlers and the page's server functions cannot forget a rule. Nothing here does IO
//! or knows about HTTP or SQL; the server crate maps [`BookingError`] onto status codes.

mod booking;
mod card;
mod checkin;
mod concert;
mod concert_edit;
mod door_list;
mod error;
mod form_check;
mod hold;
pub mod mail;
mod money;
mod order;
mod quantity;
mod report;
mod rules;
pub mod sale;
mod seat_map;
mod seating;
mod signed_ticket;
mod tier;
mod user;
mod venue_zone;
mod waiting_room;
pub mod when;

pub use booking::{Booking, BookingRequest, TierAvailability};
pub use card::{CardNumber, PaymentCard, TEST_CARDS};
pub use checkin::{
    DeviceRef, Direction, DoorTicket, Redeemed, Scan, ScanAnswer, ScanInvalid, ScanRefusal, ScanVerdict, MAX_NONCE,
    MAX_TICKET_CODE, PAIRING_QR_PREFIX,
};
pub use concert::{
    parse_dollars, parse_start, Concert, ConcertTitle, NewConcert, NewTier, TierOffer, MAX_CONCERT_TEXT, MAX_PRICE,
    MAX_TIER_CAPACITY,
};
pub use concert_edit::{check_unpublish, ConcertChange, ConcertEdit, PriceOffer, StoredConcert, TierTaken};
pub use door_list::{DoorList, DoorListPage, ListedTicket};
pub use error::BookingError;
pub use form_check::{card_form_problems, hold_form_problems, FormField};
pub use hold::{Hold, HoldStatus};
pub use money::Cents;
pub use order::{Order, OrderStatus, Ticket, TicketSeat};
pub use quantity::{Quantity, MAX_TICKETS_PER_ORDER};
pub use report::{ConcertSales, LiveSales, OrderLine, QueueFigures, SaleMinute, TierSales, LIVE_MINUTES};
pub use rules::BuyerLimits;
pub use seat_map::{MapArea, MapSeat, SeatMap, SeatStatus};
pub use seating::{
    AreaRadius, AreaText, PlanArea, PlanCategory, PlanRow, PlanSeat, PlanZone, PlannedSeat, Point, SeatingPlan, Size,
    MAX_LABEL, MAX_SEATS, MAX_SIDE,
};
pub use signed_ticket::{SignedCode, TicketClaim, TicketKey, TicketSigner, SIGNED_TICKET_PREFIX};
pub use tier::{Capacities, Tier};
pub use user::{BuyerEmail, BuyerName, UserId, MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_USER_ID_CHARS};
pub use venue_zone::{parse_start_in, parse_time_zone, ZoneAt};
pub use waiting_room::{
    ahead_of, Admission, QueueCounters, QueuePlace, QueueStatus, WaitingRoom, MAX_PREQUEUE_MINUTES,
    MAX_RATE_PER_MINUTE, MAX_TURN_PACING, MAX_WINDOW_MINUTES,
};
