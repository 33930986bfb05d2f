//! Reports about other servers' accounts: forwarded as a `Flag` from the
//! instance actor when the reporter asks, received there as a report for
//! its moderators; kept here when the reporter does not ask.

use serde_json::Value;

use super::{Db, Instance, eventually};

async fn admin_reports(instance: &Instance, token: &str) -> Vec<Value> {
    instance
        .get_json("/api/v1/admin/reports", token)
        .await
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_report_is_forwarded_to_the_reported_accounts_server_only_when_asked() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let (_, alice) = alpha.app.user_with_token("alice").await;
    alpha.app.create_user("alphamod", "moderator").await;
    let alpha_mod = alpha
        .app
        .token("alphamod", "read admin:read admin:write")
        .await;
    let (bob_user, bob) = beta.app.user_with_token("bob").await;
    beta.app.create_user("betamod", "moderator").await;
    let beta_mod = beta
        .app
        .token("betamod", "read admin:read admin:write")
        .await;
    let ad = beta
        .app
        .post_status(&bob, &[("status", "Buy cheap watches")])
        .await;

    // Alice finds Bob's post from alpha.
    let found = alpha.resolve(&alice, ad["uri"].as_str().unwrap()).await;
    let status_here = found["statuses"][0]["id"].as_str().unwrap().to_owned();
    let bob_here = found["statuses"][0]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Without `forward`, the report stays here: nothing is queued.
    let kept = alpha
        .app
        .post_with_token(
            "/api/v1/reports",
            &alice,
            &[
                ("account_id", &bob_here),
                ("status_ids[]", &status_here),
                ("comment", "Only for our moderators"),
                ("forward", "false"),
            ],
        )
        .await;
    assert_eq!(kept.status, 200, "{}", kept.text());
    assert_eq!(kept.json()["forwarded"], false);
    let queued = alpha
        .state()
        .store
        .deliveries()
        .pending(None)
        .await
        .unwrap();
    assert_eq!(queued, 0, "a report sent without forward=true");

    // With `forward`, a Flag goes to beta.
    let forwarded = alpha
        .app
        .post_with_token(
            "/api/v1/reports",
            &alice,
            &[
                ("account_id", &bob_here),
                ("status_ids[]", &status_here),
                ("comment", "Spam from your server"),
                ("category", "spam"),
                ("forward", "true"),
            ],
        )
        .await;
    assert_eq!(forwarded.status, 200, "{}", forwarded.text());
    assert_eq!(forwarded.json()["forwarded"], true);

    let received = eventually("the report reaches beta's moderators", || async {
        admin_reports(&beta, &beta_mod).await.first().cloned()
    })
    .await;
    assert_eq!(
        received["target_account"]["id"],
        bob_user.account.id.to_string()
    );
    assert_eq!(received["comment"], "Spam from your server");
    assert_eq!(received["category"], "other");
    let statuses = received["statuses"].as_array().unwrap();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["id"], ad["id"]);
    // It comes from alpha's instance actor: Alice stays private.
    assert_eq!(received["account"]["domain"], alpha.domain.as_str());
    assert_ne!(received["account"]["username"], "alice");

    // Beta's moderators are notified; only the forwarded report arrived.
    let notifications = beta
        .get_json("/api/v1/notifications?types[]=admin.report", &beta_mod)
        .await;
    assert_eq!(notifications[0]["report"]["id"], received["id"]);
    eventually("alpha's queue drains", || async {
        let pending = alpha
            .state()
            .store
            .deliveries()
            .pending(None)
            .await
            .unwrap();
        (pending == 0).then_some(())
    })
    .await;
    assert_eq!(admin_reports(&beta, &beta_mod).await.len(), 1);

    // Alpha's moderators have both, marked as forwarded or not.
    let here = admin_reports(&alpha, &alpha_mod).await;
    let flags: Vec<(&str, bool)> = here
        .iter()
        .map(|r| {
            (
                r["comment"].as_str().unwrap(),
                r["forwarded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("Spam from your server", true),
            ("Only for our moderators", false)
        ]
    );
}
