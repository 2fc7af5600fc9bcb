//! Pieces the pages share.

mod concert_header;
mod concert_list;
mod concert_time;
mod countdown;
mod join_queue;
mod order_summary;
mod sales_open;
mod seat_picker;
mod tier_option;
mod waitlist_form;

pub use concert_header::{ConcertHeader, LiveStatusLine};
pub use concert_list::{ConcertList, ConcertsJump};
pub use concert_time::{ConcertLine, ConcertTime};
pub use countdown::Countdown;
pub use join_queue::{ChooseBefore, JoinQueueForm};
pub use order_summary::OrderSummary;
pub use sales_open::{now_ms, open_now, SalesOpen};
pub use seat_picker::SeatPicker;
pub use tier_option::TierOption;
pub use waitlist_form::{WaitlistForm, WaitlistTier};
