//! One component per route.

mod checkout;
mod find_order;
mod home;
mod not_found;
mod order;

pub use checkout::CheckoutPage;
pub use find_order::FindOrderPage;
pub use home::HomePage;
pub use not_found::NotFound;
pub use order::OrderPage;
