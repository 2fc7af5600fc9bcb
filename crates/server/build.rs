// `sqlx::migrate!` embeds the migrations at compile time: a new file there must trigger a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations/sqlite");
    println!("cargo:rerun-if-changed=migrations/postgres");
}
