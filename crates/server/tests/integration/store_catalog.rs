//! The catalog cache under a crowd: pages that miss it together wait for one read of the database.

use crate::helpers::{capacities, fresh_store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_that_miss_the_catalog_together_read_it_once() {
    let (store, _database) = fresh_store(capacities(10, 10, 10)).await;
    let before = store.catalog_reads();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(32));
    let readers: Vec<_> = (0..32)
        .map(|_| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.concerts().await.expect("the catalog reads")
            })
        })
        .collect();
    for reader in readers {
        assert_eq!(reader.await.unwrap().len(), 1, "every reader gets the catalog");
    }
    assert_eq!(store.catalog_reads() - before, 1, "one read of the database for 32 readers");
}
