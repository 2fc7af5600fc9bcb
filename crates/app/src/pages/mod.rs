//! One component per route.

mod booking;
mod home;
mod not_found;

pub use booking::BookingPage;
pub use home::HomePage;
pub use not_found::NotFound;
