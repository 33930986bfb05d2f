//! The reports sub-store, method by method, on this run's backend.

use loggia::model::{Page, StatusId};
use loggia::store::{NewReport, ReportFilter};

use crate::common::TestApp;

fn page(limit: i64) -> Page {
    Page {
        limit,
        ..Page::default()
    }
}

#[tokio::test]
async fn reports_round_trip() {
    let app = TestApp::new().await;
    let store = &app.state.store;
    let (alice, _) = app.user_with_token("alice").await;
    let (bob, bob_token) = app.user_with_token("bob").await;
    let (carol, _) = app.user_with_token("carol").await;
    let post = app.post_status(&bob_token, &[("status", "spam")]).await;
    let status = StatusId(post["id"].as_str().unwrap().parse().unwrap());
    let uri = post["uri"].as_str().unwrap().to_owned();

    let new = NewReport {
        account_id: alice.account.id,
        target_account_id: bob.account.id,
        statuses: vec![(status, uri.clone()), (status, uri.clone())],
        comment: "spam".into(),
        category: "spam".into(),
        rule_ids: vec!["1".into()],
        forward: true,
        uri: Some("https://partner.example/flags/1".into()),
    };
    let mut tx = store.begin().await.unwrap();
    let first = tx.reports().insert(&new).await.unwrap().unwrap();
    // The same Flag again is recognised by its uri.
    assert!(tx.reports().insert(&new).await.unwrap().is_none());
    tx.commit().await.unwrap();
    assert_eq!(first.category, "spam");
    assert_eq!(first.rule_id_list(), ["1"]);
    assert_eq!(first.status_uri_list(), [uri.clone(), uri.clone()]);
    assert!(first.forward && first.forwarded_at.is_none());
    assert_eq!(first.created_at, first.updated_at);
    assert_eq!(
        store.reports().by_id(first.id).await.unwrap().as_ref(),
        Some(&first)
    );
    assert!(store.reports().by_id(1).await.unwrap().is_none());
    assert_eq!(
        store.reports().status_ids(first.id).await.unwrap(),
        [status]
    );

    let second = store
        .reports()
        .insert(&NewReport {
            account_id: carol.account.id,
            target_account_id: alice.account.id,
            category: "other".into(),
            ..NewReport::default()
        })
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .reports()
            .status_ids(second.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.reports().about(bob.account.id).await.unwrap(),
        [(alice.account.id, "spam".to_owned())]
    );

    let ids = |list: Vec<loggia::store::Report>| list.iter().map(|r| r.id).collect::<Vec<_>>();
    let all = ReportFilter::default();
    assert_eq!(
        ids(store.reports().page(&all, &page(10)).await.unwrap()),
        [second.id, first.id]
    );
    assert_eq!(
        ids(store.reports().page(&all, &page(1)).await.unwrap()),
        [second.id]
    );
    let older = Page {
        max_id: Some(second.id),
        ..page(10)
    };
    assert_eq!(
        ids(store.reports().page(&all, &older).await.unwrap()),
        [first.id]
    );
    let newer = Page {
        min_id: Some(first.id),
        ..page(10)
    };
    assert_eq!(
        ids(store.reports().page(&all, &newer).await.unwrap()),
        [second.id]
    );
    let by_carol = ReportFilter {
        account_id: Some(carol.account.id),
        ..ReportFilter::default()
    };
    assert_eq!(
        ids(store.reports().page(&by_carol, &page(10)).await.unwrap()),
        [second.id]
    );
    let about_bob = ReportFilter {
        target_account_id: Some(bob.account.id),
        resolved: Some(false),
        ..ReportFilter::default()
    };
    assert_eq!(
        ids(store.reports().page(&about_bob, &page(10)).await.unwrap()),
        [first.id]
    );

    store.reports().set_forwarded(first.id).await.unwrap();
    let assigned = store
        .reports()
        .assign(first.id, Some(carol.account.id))
        .await
        .unwrap()
        .unwrap();
    assert!(assigned.forwarded_at.is_some());
    assert_eq!(assigned.assigned_account_id, Some(carol.account.id));
    assert!(assigned.updated_at >= first.updated_at);
    let unassigned = store
        .reports()
        .assign(first.id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unassigned.assigned_account_id, None);
    assert!(store.reports().assign(1, None).await.unwrap().is_none());

    let resolved = store
        .reports()
        .set_resolved(first.id, Some(carol.account.id))
        .await
        .unwrap()
        .unwrap();
    assert!(resolved.resolved_at.is_some());
    assert_eq!(resolved.action_taken_by_account_id, Some(carol.account.id));
    let resolved_only = ReportFilter {
        resolved: Some(true),
        ..ReportFilter::default()
    };
    assert_eq!(
        ids(store
            .reports()
            .page(&resolved_only, &page(10))
            .await
            .unwrap()),
        [first.id]
    );
    assert!(
        store
            .reports()
            .page(&about_bob, &page(10))
            .await
            .unwrap()
            .is_empty()
    );
    let reopened = store
        .reports()
        .set_resolved(first.id, None)
        .await
        .unwrap()
        .unwrap();
    assert!(reopened.resolved_at.is_none() && reopened.action_taken_by_account_id.is_none());

    let categorized = store
        .reports()
        .categorize(first.id, "legal", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(categorized.category, "legal");
    assert!(categorized.rule_id_list().is_empty());

    let note = store
        .reports()
        .add_note(first.id, carol.account.id, "looked at it")
        .await
        .unwrap();
    let later = store
        .reports()
        .add_note(first.id, alice.account.id, "me too")
        .await
        .unwrap();
    assert_eq!(
        store.reports().notes(first.id).await.unwrap(),
        [note.clone(), later.clone()]
    );
    assert_eq!(
        store.reports().note(first.id, note.id).await.unwrap(),
        Some(note.clone())
    );
    // A note belongs to its report.
    assert!(
        store
            .reports()
            .note(second.id, note.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .reports()
            .delete_note(second.id, note.id)
            .await
            .unwrap()
    );
    assert!(
        store
            .reports()
            .delete_note(first.id, note.id)
            .await
            .unwrap()
    );
    assert_eq!(store.reports().notes(first.id).await.unwrap(), [later]);

    // `admin.report` notifications carry the report; never to oneself.
    store
        .notifications()
        .notify_report(carol.account.id, alice.account.id, first.id)
        .await
        .unwrap();
    store
        .notifications()
        .notify_report(alice.account.id, alice.account.id, first.id)
        .await
        .unwrap();
    let listed = store
        .notifications()
        .list(carol.account.id, &Default::default(), &page(10))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].notification_type, "admin.report");
    assert_eq!(listed[0].report_id, Some(first.id));
    assert!(
        store
            .notifications()
            .list(alice.account.id, &Default::default(), &page(10))
            .await
            .unwrap()
            .is_empty()
    );
}
