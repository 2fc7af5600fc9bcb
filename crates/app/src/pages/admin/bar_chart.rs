//! A small bar chart drawn as SVG by the page itself (no script from elsewhere): one or two series per
//! minute, side by side, scaled to the largest value. A screen reader gets the chart's summary as its label.

use leptos::prelude::*;

/// One series: its name (the legend), the CSS class that colours it, one value per slot.
#[derive(Clone, PartialEq)]
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
    pub values: Vec<u32>,
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 120.0;

/// The bars of `series` as (class, x, y, width, height), in a `WIDTH` × `HEIGHT` box.
pub fn bars(series: &[Series]) -> Vec<(&'static str, f64, f64, f64, f64)> {
    let slots = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let top = series.iter().flat_map(|s| s.values.iter().copied()).max().unwrap_or(0).max(1) as f64;
    if slots == 0 {
        return Vec::new();
    }
    let slot = WIDTH / slots as f64;
    let bar = slot * 0.8 / series.len() as f64;
    let mut drawn = Vec::new();
    for (n, one) in series.iter().enumerate() {
        for (i, value) in one.values.iter().enumerate() {
            let height = f64::from(*value) / top * (HEIGHT - 4.0);
            let x = i as f64 * slot + slot * 0.1 + n as f64 * bar;
            drawn.push((one.class, x, HEIGHT - height, bar, height));
        }
    }
    drawn
}

#[component]
pub fn BarChart(
    /// What the chart shows, as its caption.
    title: &'static str,
    /// The figures in words, for whoever cannot see the bars.
    #[prop(into)]
    summary: Signal<String>,
    #[prop(into)] series: Signal<Vec<Series>>,
) -> AnyView {
    let legend = move || {
        series
            .get()
            .into_iter()
            .map(|s| view! { <span class=format!("legend {}", s.class)>{s.name}</span> })
            .collect_view()
    };
    let drawn = move || {
        bars(&series.get())
            .into_iter()
            .map(|(class, x, y, width, height)| {
                view! {
                    <rect
                        class=class
                        x=format!("{x:.1}")
                        y=format!("{y:.1}")
                        width=format!("{width:.1}")
                        height=format!("{height:.1}")
                    />
                }
            })
            .collect_view()
    };
    view! {
        <figure class="chart">
            <figcaption>{title} " " {legend}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                preserveAspectRatio="none"
                role="img"
                aria-label=move || format!("{title}: {}", summary.get())
            >
                <line class="axis" x1="0" y1=HEIGHT.to_string() x2=WIDTH.to_string() y2=HEIGHT.to_string() />
                {drawn}
            </svg>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_largest_value_and_sit_on_the_axis() {
        let series = [
            Series { name: "joined", class: "a", values: vec![0, 5, 10] },
            Series { name: "admitted", class: "b", values: vec![2, 2, 2] },
        ];
        let drawn = bars(&series);
        assert_eq!(drawn.len(), 6);
        let tallest = drawn.iter().map(|b| b.4).fold(0.0, f64::max);
        assert!((tallest - (HEIGHT - 4.0)).abs() < 1e-9, "the largest value fills the height");
        assert!(drawn.iter().all(|(_, _, y, _, h)| (y + h - HEIGHT).abs() < 1e-9), "every bar stands on the axis");
        assert!(drawn.iter().all(|(_, x, _, w, _)| *x >= 0.0 && x + w <= WIDTH), "inside the box");
        assert_eq!(drawn[0].4, 0.0, "zero is no bar");
        assert!(bars(&[]).is_empty());
    }
}
