//! The seat map as the page draws it: the plan's size and stage, and each seat with its state.

use crate::{SeatingPlan, Tier};
use serde::{Deserialize, Serialize};

/// Where a seat stands, as everyone may see it (who holds it is not shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatStatus {
    Free,
    Held,
    Sold,
    Blocked,
}

impl SeatStatus {
    pub fn code(self) -> &'static str {
        match self {
            SeatStatus::Free => "free",
            SeatStatus::Held => "held",
            SeatStatus::Sold => "sold",
            SeatStatus::Blocked => "blocked",
        }
    }

    pub fn parse(code: &str) -> Option<SeatStatus> {
        [SeatStatus::Free, SeatStatus::Held, SeatStatus::Sold, SeatStatus::Blocked]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// One letter per seat in the live feed's `seats` event: `f`, `h`, `s`, `b`.
    pub fn letter(self) -> char {
        self.code().chars().next().unwrap_or('f')
    }

    pub fn from_letter(letter: char) -> Option<SeatStatus> {
        [SeatStatus::Free, SeatStatus::Held, SeatStatus::Sold, SeatStatus::Blocked]
            .into_iter()
            .find(|s| s.letter() == letter)
    }
}

/// A seat as the map shows it (and `GET /api/concerts/{id}/seats`): where it is and whether it can be had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapSeat {
    pub id: String,
    pub tier: Tier,
    pub zone: String,
    pub row: String,
    pub number: String,
    pub x: f64,
    pub y: f64,
    pub state: SeatStatus,
}

/// A drawn area: the stage, a bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapArea {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatMap {
    pub width: f64,
    pub height: f64,
    pub areas: Vec<MapArea>,
    /// In plan order (row by row, left to right): the live feed's `seats` event numbers them so.
    pub seats: Vec<MapSeat>,
}

impl SeatMap {
    /// The map of `plan` with `seats` (in plan order).
    pub fn of(plan: &SeatingPlan, seats: Vec<MapSeat>) -> SeatMap {
        let areas = plan
            .zones
            .iter()
            .flat_map(|zone| zone.areas.iter().map(move |area| (zone, area)))
            .map(|(zone, area)| {
                let (width, height) = match (area.rectangle, area.ellipse.or(area.circle)) {
                    (Some(size), _) => (size.width, size.height),
                    (None, Some(r)) => {
                        let rx = r.radius_x.or(r.radius).unwrap_or(0.0);
                        let ry = r.radius_y.or(r.radius).unwrap_or(rx);
                        (2.0 * rx, 2.0 * ry)
                    }
                    _ => (0.0, 0.0),
                };
                MapArea {
                    x: zone.position.x + area.position.x,
                    y: zone.position.y + area.position.y,
                    width,
                    height,
                    label: area.text.as_ref().map(|t| t.text.clone()),
                }
            })
            .collect();
        SeatMap { width: plan.size.width, height: plan.size.height, areas, seats }
    }

    /// Applies the live feed's states (one letter per seat, in plan order); a string of another length
    /// (a new plan) is ignored.
    pub fn apply_letters(&mut self, letters: &str) -> bool {
        if letters.chars().count() != self.seats.len() {
            return false;
        }
        for (seat, letter) in self.seats.iter_mut().zip(letters.chars()) {
            if let Some(status) = SeatStatus::from_letter(letter) {
                seat.state = status;
            }
        }
        true
    }
}
