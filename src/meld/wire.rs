//! Meld JSON shapes. Field order follows Meld's reference pages (alphabetical); fields the
//! documentation lists are always present, `null` when empty.

use serde::Serialize;

use super::model::{Account, Connection};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionBody<'a> {
    account_id: &'a str,
    active_duplicate_connection_id: Option<&'a str>,
    created_at: String,
    customer_id: &'a str,
    duplicate_connection_ids: Option<&'a [String]>,
    external_customer_id: Option<&'a str>,
    id: &'a str,
    institution_id: Option<&'a str>,
    institution_name: Option<&'a str>,
    key: &'a str,
    optional_products: &'a [String],
    products: &'a [String],
    regions: &'a [String],
    service_provider_details: &'a serde_json::Map<String, serde_json::Value>,
    status: &'a str,
    status_reason: Option<&'a str>,
    successfully_aggregated_at: Option<String>,
}

/// A connection, with its pagination `key`.
pub fn connection<'a>(
    account: &'a Account,
    c: &'a Connection,
    key: &'a str,
) -> impl Serialize + 'a {
    ConnectionBody {
        account_id: &account.id,
        active_duplicate_connection_id: c.active_duplicate_connection_id.as_deref(),
        created_at: c.created_at.to_string(),
        customer_id: &c.customer_id,
        duplicate_connection_ids: c.duplicate_connection_ids.as_deref(),
        external_customer_id: account
            .customer(&c.customer_id)
            .map(|cu| cu.external_id.as_str()),
        id: &c.id,
        institution_id: c.institution_id.as_deref(),
        institution_name: c.institution_name.as_deref(),
        key,
        optional_products: &c.optional_products,
        products: &c.products,
        regions: &c.regions,
        service_provider_details: &c.service_provider_details,
        status: &c.status,
        status_reason: c.status_reason.as_deref(),
        successfully_aggregated_at: c.successfully_aggregated_at.map(|t| t.to_string()),
    }
}
