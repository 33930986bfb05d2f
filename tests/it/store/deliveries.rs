//! Claims on the delivery queue, on this run's backend: one claimant per
//! delivery, renewed only by the claim that holds it.

use loggia::model::Timestamp;

use super::{local_account, store};

#[tokio::test]
async fn claims_are_exclusive_renewable_and_lapse() {
    let (_db, store) = store().await;
    let actor = store
        .accounts()
        .insert(&local_account("alice"))
        .await
        .unwrap();
    let t = Timestamp::now();
    let inboxes: Vec<(String, String)> = (0..3)
        .map(|n| {
            (
                format!("https://peer.example/inbox/{n}"),
                "peer.example".into(),
            )
        })
        .collect();
    store
        .deliveries()
        .enqueue(actor.id, "{}", &inboxes, t)
        .await
        .unwrap();

    let lease = 10_000;
    let first = store.deliveries().claim(t, lease, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    let rest = store.deliveries().claim(t, lease, 5).await.unwrap();
    assert_eq!(rest.len(), 1, "claimed rows are not claimed again");
    assert!(first.iter().all(|d| d.id != rest[0].id));
    assert!(
        store
            .deliveries()
            .claim(t, lease, 5)
            .await
            .unwrap()
            .is_empty()
    );

    let held = Timestamp(t.0 + lease);
    let renewed = Timestamp(t.0 + 2 * lease);
    let id = first[0].id;
    assert!(
        !store.deliveries().renew(id, t, renewed).await.unwrap(),
        "not our claim"
    );
    assert!(store.deliveries().renew(id, held, renewed).await.unwrap());
    // Still held when the first lease would have lapsed.
    let lapsed = Timestamp(held.0 + 1);
    let taken: Vec<i64> = store
        .deliveries()
        .claim(lapsed, lease, 5)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert!(!taken.contains(&id), "a renewed claim holds");
    assert_eq!(
        taken.len(),
        2,
        "the other claims lapsed and were taken over"
    );
    // The old holder of a lapsed claim cannot renew it back.
    let other = first[1].id;
    assert!(
        !store
            .deliveries()
            .renew(other, held, renewed)
            .await
            .unwrap()
    );

    store
        .deliveries()
        .finish(id, first[0].activity_id)
        .await
        .unwrap();
    assert!(
        !store
            .deliveries()
            .renew(id, renewed, renewed)
            .await
            .unwrap()
    );
    assert_eq!(store.deliveries().pending(None).await.unwrap(), 2);
}

/// The delivery worker is woken by commits that queue deliveries, and only
/// by those: not by a transaction rolled back, nor by other writes.
#[tokio::test]
async fn committed_deliveries_wake_the_worker() {
    use std::time::Duration;
    let (_db, store) = store().await;
    let wake = store.events().delivery_wake();
    let woken = || async {
        tokio::time::timeout(Duration::from_millis(200), wake.notified())
            .await
            .is_ok()
    };
    let actor = store
        .accounts()
        .insert(&local_account("alice"))
        .await
        .unwrap();
    let inboxes = vec![(
        "https://peer.example/inbox".to_owned(),
        "peer.example".to_owned(),
    )];
    assert!(!woken().await, "creating an account queues nothing");

    let mut tx = store.begin().await.unwrap();
    tx.deliveries()
        .enqueue(actor.id, "{}", &inboxes, Timestamp::now())
        .await
        .unwrap();
    assert!(!woken().await, "not before the commit");
    drop(tx);
    assert!(!woken().await, "nor after a rollback");

    let mut tx = store.begin().await.unwrap();
    tx.deliveries()
        .enqueue(actor.id, "{}", &inboxes, Timestamp::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(woken().await, "woken by the commit");

    let mut tx = store.begin().await.unwrap();
    tx.deliveries()
        .enqueue_render(actor.id, None, "UpdatePerson")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(woken().await, "a status or profile to render wakes it too");

    store
        .deliveries()
        .enqueue(actor.id, "{}", &inboxes, Timestamp::now())
        .await
        .unwrap();
    assert!(woken().await, "so does a write outside a transaction");
}
