//! The classifier hook and webhook sub-stores, on this run's backend.

use loggia::model::Timestamp;
use loggia::store::{HookSettings, WebhookSettings};

use super::store;

fn hook(name: &str, direction: &str, enabled: bool) -> HookSettings {
    HookSettings {
        name: name.into(),
        url: "http://127.0.0.1:9/check".into(),
        secret: "secret".into(),
        direction: direction.into(),
        timeout_ms: 2000,
        retries: 1,
        fail_mode: "open".into(),
        enabled,
    }
}

#[tokio::test]
async fn policy_hooks_round_trip() {
    let (_db, store) = store().await;
    let a = store
        .policy_hooks()
        .insert(&hook("a", "inbound", true))
        .await
        .unwrap();
    let b = store
        .policy_hooks()
        .insert(&hook("b", "both", true))
        .await
        .unwrap();
    let c = store
        .policy_hooks()
        .insert(&hook("c", "outbound", false))
        .await
        .unwrap();
    assert_eq!(a.name, "a");
    assert_eq!((a.timeout_ms, a.retries, a.enabled), (2000, 1, true));
    assert_eq!(a.created_at, a.updated_at);
    assert_eq!(
        store.policy_hooks().by_id(b.id).await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(store.policy_hooks().by_id(-1).await.unwrap(), None);
    let ids =
        |hooks: Vec<loggia::store::PolicyHook>| hooks.iter().map(|h| h.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.policy_hooks().list().await.unwrap()),
        [a.id, b.id, c.id]
    );
    assert_eq!(
        ids(store.policy_hooks().enabled_for("inbound").await.unwrap()),
        [a.id, b.id]
    );
    assert_eq!(
        ids(store.policy_hooks().enabled_for("outbound").await.unwrap()),
        [b.id]
    );

    let changed = store
        .policy_hooks()
        .update(
            c.id,
            &HookSettings {
                fail_mode: "closed".into(),
                ..hook("c2", "outbound", true)
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            changed.name.as_str(),
            changed.fail_mode.as_str(),
            changed.enabled
        ),
        ("c2", "closed", true)
    );
    assert_eq!(
        ids(store.policy_hooks().enabled_for("outbound").await.unwrap()),
        [b.id, c.id]
    );
    assert_eq!(
        store
            .policy_hooks()
            .update(-1, &hook("x", "both", true))
            .await
            .unwrap(),
        None
    );

    assert!(store.policy_hooks().delete(a.id).await.unwrap());
    assert!(!store.policy_hooks().delete(a.id).await.unwrap());
    assert_eq!(
        ids(store.policy_hooks().list().await.unwrap()),
        [b.id, c.id]
    );
}

fn webhook(events: &[&str]) -> WebhookSettings {
    WebhookSettings {
        url: "http://127.0.0.1:9/in".into(),
        secret: "secret".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        enabled: true,
    }
}

#[tokio::test]
async fn webhooks_round_trip() {
    let (_db, store) = store().await;
    let w = store
        .webhooks()
        .insert(&webhook(&["status.created"]))
        .await
        .unwrap();
    assert_eq!(w.event_names(), ["status.created"]);
    assert!(w.wants("status.created") && !w.wants("status.updated"));
    assert_eq!(store.webhooks().by_id(w.id).await.unwrap(), Some(w.clone()));
    let changed = store
        .webhooks()
        .update(
            w.id,
            &WebhookSettings {
                enabled: false,
                ..webhook(&["report.created"])
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.event_names(), ["report.created"]);
    assert!(
        !changed.wants("report.created"),
        "disabled webhooks want nothing"
    );
    assert_eq!(
        store.webhooks().update(-1, &webhook(&[])).await.unwrap(),
        None
    );
    assert_eq!(store.webhooks().list().await.unwrap(), vec![changed]);

    // Deleting a webhook takes its deliveries with it.
    store
        .webhooks()
        .enqueue(w.id, "report.created", "{}")
        .await
        .unwrap();
    assert!(store.webhooks().delete(w.id).await.unwrap());
    assert!(!store.webhooks().delete(w.id).await.unwrap());
    assert!(
        store
            .webhooks()
            .deliveries(w.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn webhook_deliveries_are_leased_retried_and_pruned() {
    let (_db, store) = store().await;
    let w = store
        .webhooks()
        .insert(&webhook(&["status.created"]))
        .await
        .unwrap();
    let first = store
        .webhooks()
        .enqueue(w.id, "status.created", "{\"n\":1}")
        .await
        .unwrap();
    let second = store
        .webhooks()
        .enqueue(w.id, "status.created", "{\"n\":2}")
        .await
        .unwrap();
    let now = Timestamp::now();

    let claimed = store.webhooks().claim(now, 60_000, 10).await.unwrap();
    assert_eq!(
        claimed.iter().map(|d| d.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_eq!(claimed[0].payload, "{\"n\":1}");
    assert_eq!(claimed[0].locked_until, Some(Timestamp(now.0 + 60_000)));
    assert!(
        store
            .webhooks()
            .claim(now, 60_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    // A lease that lapsed (its worker died) can be claimed again.
    let later = Timestamp(now.0 + 61_000);
    assert_eq!(
        store
            .webhooks()
            .claim(later, 60_000, 1)
            .await
            .unwrap()
            .len(),
        1
    );

    store.webhooks().delivered(first, 1, now).await.unwrap();
    let retry_at = now.plus_seconds(120);
    store
        .webhooks()
        .failed(second, 1, Some(retry_at), "HTTP 500")
        .await
        .unwrap();
    let rows = store.webhooks().deliveries(w.id, 10).await.unwrap();
    assert_eq!(
        rows.iter().map(|d| d.id).collect::<Vec<_>>(),
        [second, first]
    );
    assert_eq!(rows[0].last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(rows[0].locked_until, None);
    assert_eq!(rows[0].next_attempt_at, Some(retry_at));
    assert_eq!(rows[1].delivered_at, Some(now));
    assert_eq!(rows[1].next_attempt_at, None);
    assert!(
        store
            .webhooks()
            .claim(later, 60_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let due = store.webhooks().claim(retry_at, 60_000, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
    store
        .webhooks()
        .failed(second, 2, None, "gave up")
        .await
        .unwrap();
    assert!(
        store
            .webhooks()
            .claim(now.plus_seconds(3600), 60_000, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Finished rows are forgotten after a while; waiting ones never.
    let third = store
        .webhooks()
        .enqueue(w.id, "status.created", "{}")
        .await
        .unwrap();
    assert_eq!(store.webhooks().prune(Timestamp(0)).await.unwrap(), 0);
    assert_eq!(
        store
            .webhooks()
            .prune(now.plus_seconds(3600))
            .await
            .unwrap(),
        2
    );
    let rows = store.webhooks().deliveries(w.id, 10).await.unwrap();
    assert_eq!(rows.iter().map(|d| d.id).collect::<Vec<_>>(), [third]);
}
