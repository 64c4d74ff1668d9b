//! Meld customers: create-or-return, search by external id order, get, update, delete with
//! and without `serviceProviders`.

use serde_json::{Value, json};

use crate::snap;
use crate::support::*;

const CUSTOMER: &str = "WQ5CwFZAT79JWX27hk8ARS";

async fn call(
    server: &sandbank::RunningServer,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Exchange {
    meld_call(server, method, path, body).await
}

fn ids(page: &Value) -> Vec<String> {
    page["customers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["externalId"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn customers_crud() {
    let server = default_server().await;
    let created = call(
        &server,
        "POST",
        "/accounts/customers",
        Some(json!({
            "externalId": "alice-1",
            "name": { "firstName": "Alice", "lastName": "Archer" },
            "email": "alice@example.com",
            "phone": "+12125550100",
            "dateOfBirth": "1990-04-01",
        })),
    )
    .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
    // The same externalId returns the existing customer, unchanged.
    let again = call(
        &server,
        "POST",
        "/accounts/customers",
        Some(json!({ "externalId": "alice-1", "email": "other@example.com" })),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["email"], "alice@example.com");
    for external in ["zed", "bob"] {
        let ex = call(
            &server,
            "POST",
            "/accounts/customers",
            Some(json!({ "externalId": external })),
        )
        .await;
        assert_eq!(ex.status, 201);
    }
    // Sorted by external id; paged by key.
    let all = call(&server, "GET", "/accounts/customers", None)
        .await
        .json();
    assert_eq!(ids(&all), ["alice-1", "bob", "user-123", "zed"]);
    let first = call(&server, "GET", "/accounts/customers?limit=2", None)
        .await
        .json();
    let key = first["customers"][1]["key"].as_str().unwrap_or_default();
    let rest = call(
        &server,
        "GET",
        &format!("/accounts/customers?limit=2&after={key}"),
        None,
    )
    .await
    .json();
    assert_eq!(ids(&rest), ["user-123", "zed"]);
    assert_eq!(first["remaining"], 2);
    let by_ids = call(
        &server,
        "GET",
        &format!("/accounts/customers?customerIds={id},{CUSTOMER}"),
        None,
    )
    .await
    .json();
    assert_eq!(ids(&by_ids), ["alice-1", "user-123"]);
    let by_email = call(
        &server,
        "GET",
        "/accounts/customers?email=alice@example.com",
        None,
    )
    .await
    .json();
    assert_eq!(ids(&by_email), ["alice-1"]);

    let patched = call(
        &server,
        "PATCH",
        &format!("/accounts/customers/{id}"),
        Some(json!({ "externalCustomerId": "alice-2", "name": { "lastName": "Bowman" }, "status": "INACTIVE" })),
    )
    .await;
    assert_eq!(patched.status, 200);
    let p = patched.json();
    assert_eq!(p["externalId"], "alice-2");
    assert_eq!(
        p["name"],
        json!({ "firstName": "Alice", "lastName": "Bowman" })
    );
    assert_eq!(p["status"], "INACTIVE");

    let bad = call(
        &server,
        "POST",
        "/accounts/customers",
        Some(json!({ "email": "nope", "dateOfBirth": "01/04/1990", "name": "Alice" })),
    )
    .await;
    let clash = call(
        &server,
        "PATCH",
        &format!("/accounts/customers/{id}"),
        Some(json!({ "externalCustomerId": "bob" })),
    )
    .await;
    let bad_status = call(
        &server,
        "PATCH",
        &format!("/accounts/customers/{id}"),
        Some(json!({ "status": "GONE" })),
    )
    .await;
    let missing = call(&server, "GET", "/accounts/customers/unknown", None).await;
    let the_default = call(
        &server,
        "GET",
        &format!("/accounts/customers/{CUSTOMER}"),
        None,
    )
    .await;
    snap!(
        "meld_customers",
        render_all(&[the_default, bad, clash, bad_status, missing]).replace(&id, "[customer-id]")
    );
}

/// Deleting a customer: with `serviceProviders`, only the provider-side customers; without,
/// the customer with every connection (each announced) and its accounts.
#[tokio::test]
async fn customer_delete() {
    let server = default_server().await;
    let partial = call(
        &server,
        "DELETE",
        &format!("/accounts/customers/{CUSTOMER}?serviceProviders=PLAID"),
        None,
    )
    .await;
    assert_eq!(partial.status, 200);
    let p = partial.json();
    assert_eq!(p["isDeleted"], false);
    assert_eq!(
        p["serviceProviderCustomersDeleted"]
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["PLAID".to_owned()])
    );
    assert_eq!(
        call(
            &server,
            "GET",
            &format!("/accounts/customers/{CUSTOMER}"),
            None
        )
        .await
        .status,
        200
    );
    let whole = call(
        &server,
        "DELETE",
        &format!("/accounts/customers/{CUSTOMER}"),
        None,
    )
    .await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.json()["isDeleted"], true);
    assert_eq!(
        call(
            &server,
            "GET",
            &format!("/accounts/customers/{CUSTOMER}"),
            None
        )
        .await
        .status,
        404
    );
    let connections = call(&server, "GET", "/bank-linking/connections", None)
        .await
        .json();
    let statuses: Vec<&str> = connections["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["status"].as_str())
        .collect();
    assert_eq!(statuses, ["DELETED", "DELETED", "DELETED"]);
    let accounts = call(&server, "GET", "/bank-linking/accounts", None)
        .await
        .json();
    assert_eq!(accounts["count"], 0);
    let deleted_events = server.engine().with_world(|w| {
        w.meld
            .events
            .iter()
            .filter(|e| e.event_type == "BANK_LINKING_CONNECTION_DELETED")
            .count()
    });
    assert_eq!(deleted_events, 3);
}
