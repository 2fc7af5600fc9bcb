//! A concert's seating plan as the operator uploads it: a JSON format close to pretix's published
//! `seating-plan.schema.json` (`categories`, `size`, `zones[].rows[].seats[]` with `seat_guid`,
//! `seat_number`, `position`, `category`; zone and row positions offset their seats), so plans drawn for
//! pretix import. Each category names one of the concert's tiers (its `tier`, our addition, or a name
//! that is a tier's code or display name). [`SeatingPlan::checked`] names the first problem it finds.

use crate::{BookingError, Tier};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Most seats one plan may have.
pub const MAX_SEATS: usize = 20_000;
/// Longest seat id, row label or seat number, zone or category name.
pub const MAX_LABEL: usize = 64;
/// Largest plan side, in the plan's units.
pub const MAX_SIDE: f64 = 100_000.0;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanCategory {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// The tier this category sells (a tier code); absent, the name must be a tier's code or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSeat {
    /// Stable across plan versions: what holds, orders and tickets name.
    pub seat_guid: String,
    pub seat_number: String,
    pub position: Point,
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanRow {
    pub row_number: String,
    #[serde(default)]
    pub position: Point,
    pub seats: Vec<PlanSeat>,
}

/// A drawn area (the stage, a bar, an aisle's label): shown, never sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanArea {
    /// `rectangle`, `ellipse` or `circle`.
    pub shape: String,
    #[serde(default)]
    pub position: Point,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectangle: Option<Size>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ellipse: Option<AreaRadius>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle: Option<AreaRadius>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<AreaText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaRadius {
    #[serde(default)]
    pub radius: Option<f64>,
    #[serde(default)]
    pub radius_x: Option<f64>,
    #[serde(default)]
    pub radius_y: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaText {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Point>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanZone {
    pub name: String,
    #[serde(default)]
    pub position: Point,
    pub rows: Vec<PlanRow>,
    #[serde(default)]
    pub areas: Vec<PlanArea>,
}

/// A seating plan as uploaded (`PUT /api/admin/concerts/{id}/seating`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatingPlan {
    #[serde(default)]
    pub name: String,
    pub categories: Vec<PlanCategory>,
    pub size: Size,
    pub zones: Vec<PlanZone>,
}

/// One seat of a checked plan, where it is and what it sells; `row` numbers the plan's rows and
/// `column` orders a row's seats from left to right: seats next to each other in a row are adjacent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSeat {
    pub id: String,
    pub tier: Tier,
    pub zone: String,
    pub row_label: String,
    pub number: String,
    /// Its centre, in hundredths of the plan's unit (whole numbers, so that plans compare exactly).
    pub x: i64,
    pub y: i64,
    pub row: u32,
    pub column: u32,
    /// Squared distance to the stage's centre, rounded: best available prefers the smallest.
    pub distance: u64,
}

fn problem<T>(what: String) -> Result<T, BookingError> {
    Err(BookingError::InvalidSeatingPlan(what))
}

fn label(value: &str, what: &str) -> Result<(), BookingError> {
    if value.trim().is_empty() {
        return problem(format!("{what} is empty"));
    }
    if value.chars().count() > MAX_LABEL {
        return problem(format!("{what} is longer than {MAX_LABEL} characters"));
    }
    Ok(())
}

/// Numbers a row's seats (sorted left to right) so that neighbours are one column apart, and seats across
/// an aisle (a gap over half as wide again as the row's usual spacing) two: they are not adjacent.
fn number_columns(row: &mut [PlannedSeat]) {
    let mut gaps: Vec<i64> = row.windows(2).map(|pair| pair[1].x - pair[0].x).collect();
    gaps.sort_unstable();
    let usual = gaps.get(gaps.len() / 2).copied().unwrap_or(0);
    let mut column = 0u32;
    for i in 0..row.len() {
        if i > 0 {
            let gap = row[i].x - row[i - 1].x;
            column += if gap * 2 > usual * 3 { 2 } else { 1 };
        }
        row[i].column = column;
    }
}

impl SeatingPlan {
    /// The plan's seats if it is sound for a concert offering `tiers`, else the first problem, named.
    pub fn checked(&self, tiers: &[(Tier, String)]) -> Result<Vec<PlannedSeat>, BookingError> {
        let Size { width, height } = self.size;
        if !(width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0) {
            return problem("size.width and size.height must be positive numbers".into());
        }
        if width > MAX_SIDE || height > MAX_SIDE {
            return problem(format!("size must be at most {MAX_SIDE} on each side"));
        }
        let categories = self.category_tiers(tiers)?;
        let stage = self.stage_centre();
        let mut ids = BTreeSet::new();
        let mut seats = Vec::new();
        let mut row_index = 0u32;
        for (z, zone) in self.zones.iter().enumerate() {
            label(&zone.name, &format!("zone {}'s name", z + 1))?;
            for row in &zone.rows {
                let where_ = format!("zone {:?}, row {:?}", zone.name, row.row_number);
                label(&row.row_number, &format!("a row number in zone {:?}", zone.name))?;
                if row.seats.is_empty() {
                    return problem(format!("{where_} has no seats"));
                }
                let mut in_row = Vec::with_capacity(row.seats.len());
                for seat in &row.seats {
                    label(&seat.seat_guid, &format!("a seat_guid in {where_}"))?;
                    // The page's form carries its picks as one comma-separated field.
                    if seat.seat_guid.contains(',') {
                        return problem(format!("seat_guid {:?} has a comma", seat.seat_guid));
                    }
                    label(&seat.seat_number, &format!("seat {:?}'s seat_number", seat.seat_guid))?;
                    if !ids.insert(seat.seat_guid.as_str()) {
                        return problem(format!("seat_guid {:?} appears twice", seat.seat_guid));
                    }
                    let Some(&tier) = categories.get(seat.category.as_str()) else {
                        return problem(format!(
                            "seat {:?} has category {:?}, not in categories",
                            seat.seat_guid, seat.category
                        ));
                    };
                    let x = zone.position.x + row.position.x + seat.position.x;
                    let y = zone.position.y + row.position.y + seat.position.y;
                    if !(x.is_finite() && y.is_finite() && (0.0..=width).contains(&x) && (0.0..=height).contains(&y)) {
                        return problem(format!("seat {:?} at ({x}, {y}) is outside the plan's size", seat.seat_guid));
                    }
                    if ids.len() > MAX_SEATS {
                        return problem(format!("a plan has at most {MAX_SEATS} seats"));
                    }
                    let (dx, dy) = (x - stage.x, y - stage.y);
                    in_row.push(PlannedSeat {
                        id: seat.seat_guid.clone(),
                        tier,
                        zone: zone.name.clone(),
                        row_label: row.row_number.clone(),
                        number: seat.seat_number.clone(),
                        x: (x * 100.0).round() as i64,
                        y: (y * 100.0).round() as i64,
                        row: row_index,
                        column: 0,
                        distance: (dx * dx + dy * dy).round() as u64,
                    });
                }
                in_row.sort_by_key(|seat| seat.x);
                number_columns(&mut in_row);
                seats.extend(in_row);
                row_index += 1;
            }
        }
        if seats.is_empty() {
            return problem("the plan has no seats".into());
        }
        Ok(seats)
    }

    /// Each category's tier: its `tier`, or the tier whose code or name its name is.
    fn category_tiers(&self, tiers: &[(Tier, String)]) -> Result<BTreeMap<&str, Tier>, BookingError> {
        if self.categories.is_empty() {
            return problem("categories is empty".into());
        }
        let mut found = BTreeMap::new();
        for category in &self.categories {
            label(&category.name, "a category's name")?;
            let wanted = category.tier.as_deref().unwrap_or(&category.name);
            let tier = tiers
                .iter()
                .find(|(tier, name)| tier.code() == wanted || name.eq_ignore_ascii_case(wanted))
                .map(|(tier, _)| *tier);
            let Some(tier) = tier else {
                let offered: Vec<&str> = tiers.iter().map(|(tier, _)| tier.code()).collect();
                return problem(format!(
                    "category {:?} is not a tier of the concert (set its \"tier\" to one of {})",
                    category.name,
                    offered.join(", ")
                ));
            };
            if found.insert(category.name.as_str(), tier).is_some() {
                return problem(format!("category {:?} appears twice", category.name));
            }
        }
        Ok(found)
    }

    /// The stage's centre: the area whose text says "stage", else the middle of the plan's top edge.
    pub fn stage_centre(&self) -> Point {
        self.zones
            .iter()
            .flat_map(|zone| zone.areas.iter().map(move |area| (zone, area)))
            .find(|(_, area)| area.text.as_ref().is_some_and(|t| t.text.trim().eq_ignore_ascii_case("stage")))
            .map(|(zone, area)| {
                let (w, h) = match (area.rectangle, area.ellipse.or(area.circle)) {
                    (Some(size), _) => (size.width / 2.0, size.height / 2.0),
                    _ => (0.0, 0.0),
                };
                Point { x: zone.position.x + area.position.x + w, y: zone.position.y + area.position.y + h }
            })
            .unwrap_or(Point { x: self.size.width / 2.0, y: 0.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Vec<(Tier, String)> {
        [Tier::Vip, Tier::FrontRow, Tier::General].into_iter().map(|t| (t, t.display_name().to_owned())).collect()
    }

    fn good() -> serde_json::Value {
        serde_json::json!({
            "name": "Club",
            "categories": [{"name": "VIP"}, {"name": "Stalls", "tier": "front_row"}],
            "size": {"width": 100, "height": 60},
            "zones": [{
                "name": "Floor", "position": {"x": 0, "y": 10},
                "areas": [{"shape": "rectangle", "position": {"x": 30, "y": -10}, "rectangle": {"width": 40, "height": 8},
                           "text": {"text": "Stage"}}],
                "rows": [
                    {"row_number": "A", "position": {"x": 10, "y": 10}, "seats": [
                        {"seat_guid": "a1", "seat_number": "1", "position": {"x": 20, "y": 0}, "category": "VIP"},
                        {"seat_guid": "a2", "seat_number": "2", "position": {"x": 0, "y": 0}, "category": "VIP"}]},
                    {"row_number": "B", "position": {"x": 10, "y": 20}, "seats": [
                        {"seat_guid": "b1", "seat_number": "1", "position": {"x": 0, "y": 0}, "category": "Stalls"}]}
                ]
            }]
        })
    }

    fn checked(plan: serde_json::Value) -> Result<Vec<PlannedSeat>, String> {
        let plan: SeatingPlan = serde_json::from_value(plan).map_err(|e| format!("json: {e}"))?;
        plan.checked(&tiers()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_sound_plan_gives_its_seats_in_row_order_with_the_stage_as_centre() {
        let seats = checked(good()).unwrap();
        let ids: Vec<(&str, u32, u32)> = seats.iter().map(|s| (s.id.as_str(), s.row, s.column)).collect();
        assert_eq!(ids, [("a2", 0, 0), ("a1", 0, 1), ("b1", 1, 0)], "left to right within a row");
        assert_eq!((seats[1].x, seats[1].y), (3_000, 2_000), "zone, row and seat positions add up, in hundredths");
        assert_eq!(seats[2].tier, Tier::FrontRow, "a category's tier");
        assert_eq!(seats[0].tier, Tier::Vip, "a category named as a tier");
        // The stage's centre is (50, 4): a1 at (30, 20) is 20² + 16² from it.
        assert_eq!(seats[1].distance, 20 * 20 + 16 * 16);
    }

    #[test]
    fn each_kind_of_bad_plan_is_refused_naming_its_first_problem() {
        let mut cases: Vec<(&str, serde_json::Value, &str)> = Vec::new();
        let mut with = |what: &'static str, change: &dyn Fn(&mut serde_json::Value), expect: &'static str| {
            let mut plan = good();
            change(&mut plan);
            cases.push((what, plan, expect));
        };
        with(
            "a duplicate seat id",
            &|p| p["zones"][0]["rows"][1]["seats"][0]["seat_guid"] = "a1".into(),
            "\"a1\" appears twice",
        );
        with(
            "an unknown category",
            &|p| p["zones"][0]["rows"][0]["seats"][0]["category"] = "Balcony".into(),
            "category \"Balcony\", not in categories",
        );
        with(
            "a category that is no tier",
            &|p| p["categories"][1]["tier"] = "balcony".into(),
            "not a tier of the concert",
        );
        with(
            "a seat outside the plan",
            &|p| p["zones"][0]["rows"][0]["seats"][0]["position"]["x"] = 500.into(),
            "outside the plan's size",
        );
        with("an empty row", &|p| p["zones"][0]["rows"][1]["seats"] = serde_json::json!([]), "row \"B\" has no seats");
        with("no zones", &|p| p["zones"] = serde_json::json!([]), "no seats");
        with("no categories", &|p| p["categories"] = serde_json::json!([]), "categories is empty");
        with("a zero size", &|p| p["size"]["width"] = 0.into(), "positive numbers");
        with("a huge size", &|p| p["size"]["height"] = 1e9.into(), "at most");
        with(
            "an empty seat number",
            &|p| p["zones"][0]["rows"][0]["seats"][1]["seat_number"] = " ".into(),
            "seat_number is empty",
        );
        with(
            "a long seat id",
            &|p| p["zones"][0]["rows"][0]["seats"][1]["seat_guid"] = "x".repeat(65).into(),
            "longer than 64",
        );
        with(
            "a wrong type",
            &|p| p["zones"][0]["rows"][0]["seats"][1]["position"] = "left".into(),
            "json: invalid type",
        );
        with(
            "a repeated category",
            &|p| p["categories"][1] = serde_json::json!({"name": "VIP"}),
            "category \"VIP\" appears twice",
        );
        for (what, plan, expect) in cases {
            let problem = checked(plan).expect_err(what);
            assert!(problem.contains(expect), "{what}: {problem}");
        }
    }

    #[test]
    fn seats_across_an_aisle_are_not_adjacent() {
        let mut plan = good();
        let seat = |id: &str, x: i64| serde_json::json!({"seat_guid": id, "seat_number": id, "position": {"x": x, "y": 0}, "category": "VIP"});
        plan["zones"][0]["rows"][0]["seats"] =
            serde_json::json!([seat("s1", 0), seat("s2", 10), seat("s3", 20), seat("s4", 45), seat("s5", 55)]);
        let columns: Vec<u32> = checked(plan).unwrap().iter().take(5).map(|s| s.column).collect();
        assert_eq!(columns, [0, 1, 2, 4, 5], "the aisle between s3 and s4 counts as a seat");
    }

    #[test]
    fn a_plan_has_at_most_max_seats() {
        let seats: Vec<serde_json::Value> = (0..=MAX_SEATS)
            .map(|n| serde_json::json!({"seat_guid": format!("s{n}"), "seat_number": "1", "position": {"x": 1, "y": 1}, "category": "VIP"}))
            .collect();
        let mut plan = good();
        plan["zones"][0]["rows"][0]["seats"] = serde_json::Value::Array(seats);
        assert!(checked(plan).unwrap_err().contains("at most 20000 seats"));
    }
}
