//! What the state-machine tests share: the engine's source of new codes, from a counter (the engine takes
//! whatever it is given, so the tests read codes in the order they were made).

use model::sale::Fresh;

pub struct Counter(pub u64);

impl Counter {
    fn next(&mut self, prefix: &str) -> String {
        self.0 += 1;
        format!("{prefix}{}", self.0)
    }
}

impl Fresh for Counter {
    fn hold_id(&mut self) -> String {
        self.next("h_")
    }
    fn order_code(&mut self) -> String {
        self.next("BX-")
    }
    fn order_secret(&mut self) -> String {
        self.next("secret-")
    }
    fn ticket_code(&mut self) -> String {
        self.next("T-")
    }
    fn visitor_id(&mut self) -> String {
        self.next("v_")
    }
    fn waitlist_id(&mut self) -> String {
        self.next("w_")
    }
    fn draw(&mut self) -> i64 {
        self.0 += 1;
        self.0 as i64
    }
}
