//! Basiq JSON shapes: how users and connections look on the wire, field order included.
//!
//! Field order follows Basiq's published examples (the "Retrieve a connection" page for
//! connections). Links are absolute, built on the base URL the client called. Rendering only
//! reads the model; callers cache the bytes.

use serde::Serialize;

use crate::http::{Joined, OrEmpty, Shown};
use crate::value::{Money, Timestamp};

use super::model::{Account, Address, Connection, User};

#[derive(Serialize)]
struct Link {
    #[serde(rename = "self")]
    this: String,
}

#[derive(Serialize)]
struct Ref<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    links: Link,
}

#[derive(Serialize)]
struct CountedList<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    count: usize,
    data: Vec<Ref<'a>>,
}

fn counted<'a>(
    kind: &'static str,
    items: impl Iterator<Item = (&'a str, String)>,
) -> CountedList<'a> {
    let data: Vec<Ref<'a>> = items
        .map(|(id, url)| Ref {
            kind,
            id,
            links: Link { this: url },
        })
        .collect();
    CountedList {
        kind: "list",
        count: data.len(),
        data,
    }
}

#[derive(Serialize)]
struct UserLinks {
    #[serde(rename = "self")]
    this: String,
    accounts: String,
    connections: String,
    transactions: String,
    auth_link: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    email: &'a str,
    mobile: &'a str,
    name: &'a str,
    first_name: &'a str,
    middle_name: &'a str,
    last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_id_no: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_id_no_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_address: Option<&'a serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification_status: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification_date: Option<&'a str>,
    connections: CountedList<'a>,
    accounts: CountedList<'a>,
    links: UserLinks,
}

/// `GET /users/{id}`.
pub fn user<'a>(base: &str, user: &'a User) -> impl Serialize + 'a {
    let me = format!("{base}/users/{}", user.id);
    UserBody {
        kind: "user",
        id: &user.id,
        email: &user.email,
        mobile: &user.mobile,
        name: &user.name,
        first_name: &user.first_name,
        middle_name: &user.middle_name,
        last_name: &user.last_name,
        business_name: user.business_name.as_deref(),
        business_id_no: user.business_id_no.as_deref(),
        business_id_no_type: user.business_id_no_type.as_deref(),
        business_address: user.business_address.as_ref(),
        verification_status: user.verification_status,
        verification_date: user.verification_date.as_deref(),
        connections: counted(
            "connection",
            user.connections
                .iter()
                .map(|c| (c.id.as_str(), format!("{me}/connections/{}", c.id))),
        ),
        accounts: counted(
            "account",
            user.accounts
                .iter()
                .map(|a| (a.id.as_str(), format!("{me}/accounts/{}", a.id))),
        ),
        links: UserLinks {
            accounts: format!("{me}/accounts"),
            connections: format!("{me}/connections"),
            transactions: format!("{me}/transactions"),
            auth_link: user
                .auth_link
                .as_ref()
                .filter(|l| !l.deleted)
                .map(|_| format!("{me}/auth_link")),
            this: me,
        },
    }
}

#[derive(Serialize)]
struct InstitutionRef<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    links: Link,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileBody<'a> {
    full_name: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    middle_name: &'a str,
    phone_numbers: &'a [String],
    email_addresses: &'a [String],
    physical_addresses: Vec<AddressBody<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddressBody<'a> {
    address_line1: Option<&'a str>,
    address_line2: Option<&'a str>,
    address_line3: Option<&'a str>,
    postcode: Option<&'a str>,
    city: Option<&'a str>,
    state: Option<&'a str>,
    country: Option<&'a str>,
    country_code: Option<&'a str>,
    formatted_address: Option<&'a str>,
}

fn address(a: &Address) -> AddressBody<'_> {
    AddressBody {
        address_line1: a.address_line1.as_deref(),
        address_line2: a.address_line2.as_deref(),
        address_line3: a.address_line3.as_deref(),
        postcode: a.postcode.as_deref(),
        city: a.city.as_deref(),
        state: a.state.as_deref(),
        country: a.country.as_deref(),
        country_code: a.country_code.as_deref(),
        formatted_address: a.formatted_address.as_deref(),
    }
}

#[derive(Serialize)]
struct ClassBody<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    product: &'a str,
}

#[derive(Serialize)]
struct AccountLinks {
    #[serde(rename = "self")]
    this: String,
    transactions: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionAccount<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    account_no: &'a str,
    name: &'a str,
    currency: &'a str,
    balance: Option<String>,
    available_funds: Option<String>,
    last_updated: String,
    class: ClassBody<'a>,
    status: &'a str,
    links: AccountLinks,
}

#[derive(Serialize)]
struct ConnectionAccounts<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    data: Vec<ConnectionAccount<'a>>,
}

#[derive(Serialize)]
struct ConnectionLinks {
    #[serde(rename = "self")]
    this: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    accounts: String,
    transactions: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    institution: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_used: Option<String>,
    expiry_date: String,
    mfa_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<ProfileBody<'a>>,
    institution: InstitutionRef<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounts: Option<ConnectionAccounts<'a>>,
    links: ConnectionLinks,
}

/// How much of a connection to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionView {
    /// `GET /users/{id}/connections/{id}`: profile, accounts, `links.user`.
    Single,
    /// An item of `GET /users/{id}/connections`: `links.institution`, no profile or accounts.
    ListItem,
}

/// A connection. `server_scope` is false for `CLIENT_ACCESS` readers, who do not see
/// `status`, `createdDate` and `lastUsed` ("available only for SERVER_SCOPE").
pub fn connection<'a>(
    base: &str,
    user: &'a User,
    conn: &'a Connection,
    view: ConnectionView,
    server_scope: bool,
) -> impl Serialize + 'a {
    let me = format!("{base}/users/{}", user.id);
    let institution_url = format!("{base}/institutions/{}", conn.institution);
    let single = view == ConnectionView::Single;
    let accounts = single.then(|| ConnectionAccounts {
        kind: "list",
        data: user
            .accounts
            .iter()
            .filter(|a| a.connection == conn.id)
            .map(|a| connection_account(&me, a))
            .collect(),
    });
    let profile = single.then(|| ProfileBody {
        full_name: &conn.profile.full_name,
        first_name: &conn.profile.first_name,
        last_name: &conn.profile.last_name,
        middle_name: &conn.profile.middle_name,
        phone_numbers: &conn.profile.phone_numbers,
        email_addresses: &conn.profile.email_addresses,
        physical_addresses: conn
            .profile
            .physical_addresses
            .iter()
            .map(address)
            .collect(),
    });
    ConnectionBody {
        kind: "connection",
        id: &conn.id,
        status: server_scope.then_some(conn.status.as_str()),
        method: &conn.method,
        created_date: server_scope.then(|| conn.created_date.to_string()),
        last_used: conn
            .last_used
            .filter(|_| server_scope)
            .map(|t| t.to_string()),
        expiry_date: conn.expiry_date.map(|t| t.to_string()).unwrap_or_default(),
        mfa_enabled: conn.mfa_enabled,
        profile,
        institution: InstitutionRef {
            kind: "institution",
            id: &conn.institution,
            links: Link {
                this: institution_url.clone(),
            },
        },
        accounts,
        links: ConnectionLinks {
            this: format!("{me}/connections/{}", conn.id),
            user: single.then(|| me.clone()),
            accounts: format!(
                "{me}/accounts?filter=institution.id.eq('{}')",
                conn.institution
            ),
            transactions: format!(
                "{me}/transactions?filter=institution.id.eq('{}')",
                conn.institution
            ),
            institution: (!single).then_some(institution_url),
        },
    }
}

fn connection_account<'a>(me: &str, a: &'a Account) -> ConnectionAccount<'a> {
    ConnectionAccount {
        kind: "account",
        id: &a.id,
        account_no: &a.account_no,
        name: &a.name,
        currency: &a.currency,
        balance: a.balance.map(|m| m.to_string()),
        available_funds: a.available_funds.map(|m| m.to_string()),
        last_updated: a.last_updated.to_string(),
        class: ClassBody {
            kind: &a.class_type,
            product: &a.product,
        },
        status: &a.status,
        links: AccountLinks {
            this: format!("{me}/accounts/{}", a.id),
            transactions: format!("{me}/transactions?filter=account.id.eq('{}')", a.id),
        },
    }
}

/// A `{"type":"list","size":n,"count":n,"data":[…],"links":{"self":…}}` collection, as the
/// unpaged lists that state both sizes send it.
pub fn counted_list<T: Serialize>(self_url: String, data: Vec<T>) -> impl Serialize {
    CountedListBody {
        kind: "list",
        size: data.len(),
        count: data.len(),
        data,
        links: Link { this: self_url },
    }
}

#[derive(Serialize)]
struct CountedListBody<T> {
    #[serde(rename = "type")]
    kind: &'static str,
    size: usize,
    count: usize,
    data: Vec<T>,
    links: Link,
}

#[derive(Serialize)]
struct ListBody<T> {
    #[serde(rename = "type")]
    kind: &'static str,
    data: Vec<T>,
    links: Link,
}

/// A `{"type":"list","data":[…],"links":{"self":…}}` collection.
pub fn list<T: Serialize>(self_url: String, data: Vec<T>) -> impl Serialize {
    ListBody {
        kind: "list",
        data,
        links: Link { this: self_url },
    }
}

#[derive(Serialize)]
struct Interval {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct FullAccountLinks {
    #[serde(rename = "self")]
    this: String,
    transactions: String,
    connection: Option<String>,
    institution: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    account_no: &'a str,
    name: &'a str,
    currency: &'a str,
    class: ClassBody<'a>,
    balance: Option<String>,
    available_funds: Option<String>,
    credit_limit: Option<String>,
    last_updated: String,
    transaction_intervals: Vec<Interval>,
    institution: &'a str,
    account_holder: Option<&'a str>,
    account_ownership: &'static str,
    is_owned: bool,
    connection: &'a str,
    status: &'a str,
    /// The CDR fields of an open-banking account.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    cdr: Option<super::cdr::Cdr>,
    links: FullAccountLinks,
}

/// An account of `user` as `GET /users/{id}/accounts[/{id}]` returns it. Links sit on each
/// account, as in Basiq's responses (`connection` is always `null` there); an account of an
/// open-banking connection carries the CDR fields too.
pub fn account<'a>(base: &str, user: &super::model::User, a: &'a Account) -> impl Serialize + 'a {
    let me = format!("{base}/users/{}", user.id);
    let open_banking = user
        .connection(&a.connection)
        .is_some_and(|c| c.method == "open-banking");
    let to = a.last_updated.at.date_naive();
    AccountBody {
        kind: "account",
        id: &a.id,
        account_no: &a.account_no,
        name: &a.name,
        currency: &a.currency,
        class: ClassBody {
            kind: &a.class_type,
            product: &a.product,
        },
        balance: a.balance.map(|m| m.to_string()),
        available_funds: a.available_funds.map(|m| m.to_string()),
        credit_limit: a.credit_limit.map(|m| m.to_string()),
        last_updated: a.last_updated.to_string(),
        transaction_intervals: vec![Interval {
            from: a.history_from.unwrap_or(to).format("%Y-%m-%d").to_string(),
            to: to.format("%Y-%m-%d").to_string(),
        }],
        institution: &a.institution,
        account_holder: a.account_holder.as_deref(),
        account_ownership: match a.account_holder.as_deref() {
            Some(h) if h.contains(" & ") => "TWO_PARTY",
            Some(_) => "ONE_PARTY",
            None => "UNKNOWN",
        },
        is_owned: true,
        connection: &a.connection,
        status: &a.status,
        cdr: open_banking.then(|| super::cdr::of(a)),
        links: FullAccountLinks {
            this: format!("{me}/accounts/{}", a.id),
            transactions: format!("{me}/transactions?filter=account.id.eq('{}')", a.id),
            connection: None,
            institution: format!("{base}/institutions/{}", a.institution),
        },
    }
}

#[derive(Serialize)]
struct SubClassBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'static str>,
}

/// A transaction's links, written from their parts.
#[derive(Serialize)]
struct TransactionLinks<'a> {
    /// `{base}/users/{user}/transactions/{id}`
    #[serde(rename = "self")]
    this: Shown<Joined<'a, 4, &'a super::model::TxnId>>,
    account: Shown<Joined<'a, 5>>,
    institution: Shown<Joined<'a, 3>>,
    connection: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransactionBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a super::model::TxnId,
    status: &'a str,
    description: std::borrow::Cow<'a, str>,
    reference: &'a str,
    amount: Shown<Money>,
    currency: &'a str,
    account: &'a str,
    /// `""` for a transaction without a running balance.
    balance: Shown<OrEmpty<Money>>,
    direction: &'static str,
    class: &'a str,
    institution: &'a str,
    connection: &'a str,
    /// `""` when it has none.
    transaction_date: Shown<OrEmpty<Timestamp>>,
    /// A BPAY payment's biller and reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_details: Option<PaymentDetailsBody<'a>>,
    post_date: Option<Timestamp>,
    /// `{}` when the transaction has no ANZSIC class ("empty for all others").
    sub_class: SubClassBody,
    /// `null` when the application has no Enrich.
    enrich: Option<EnrichBody<'a>>,
    links: TransactionLinks<'a>,
}

#[derive(Serialize)]
struct PaymentDetailsBody<'a> {
    bpay: &'a crate::scenario::model::BpaySpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnrichBody<'a> {
    clean_description: String,
    tags: &'a [&'static str],
    merchant: Option<super::enrich::MerchantBody>,
    location: Option<super::enrich::LocationBody>,
    category: Option<super::enrich::CategoryBody>,
}

/// A transaction; `enrich` says whether the application has Enrich.
pub fn transaction<'a>(
    base: &'a str,
    user: &'a str,
    t: &'a super::model::Transaction,
    enrich: bool,
) -> impl Serialize + 'a {
    let description = t.description();
    let enrich = enrich.then(|| {
        // Enrich recognises the payees of the descriptions it cleans.
        let (merchant, location, category) = if t.cleaned {
            super::enrich::enrich(&description)
        } else {
            (None, None, None)
        };
        EnrichBody {
            clean_description: if t.cleaned {
                super::model::clean_description(&description)
            } else {
                String::new()
            },
            tags: t.tags(),
            merchant,
            location,
            category,
        }
    });
    TransactionBody {
        kind: "transaction",
        id: &t.id,
        status: t.status(),
        description,
        reference: t.reference(),
        amount: Shown(t.amount),
        currency: t.currency(),
        account: t.account(),
        balance: Shown(OrEmpty(t.balance())),
        direction: if t.amount.0 < 0 { "debit" } else { "credit" },
        class: t.class(),
        institution: t.institution(),
        connection: t.connection(),
        transaction_date: Shown(OrEmpty(t.transaction_date())),
        payment_details: t.bpay().map(|bpay| PaymentDetailsBody { bpay }),
        post_date: t.post_date(),
        sub_class: SubClassBody {
            code: t.sub_class.map(|s| s.0),
            title: t.sub_class.map(|s| s.1),
        },
        enrich,
        links: TransactionLinks {
            this: Shown(Joined([base, "/users/", user, "/transactions/"], &t.id)),
            account: Shown(Joined(
                [base, "/users/", user, "/accounts/", t.account()],
                "",
            )),
            institution: Shown(Joined([base, "/institutions/", t.institution()], "")),
            connection: None,
        },
    }
}

#[derive(Serialize)]
struct PageLinks {
    #[serde(rename = "self")]
    this: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

#[derive(Serialize)]
struct PageBody<T> {
    #[serde(rename = "type")]
    kind: &'static str,
    count: usize,
    size: usize,
    data: Vec<T>,
    links: PageLinks,
}

/// A page of transactions: `count` items here, `size` in all, `links.next` while more remain.
pub fn transaction_page<T: Serialize>(
    self_url: String,
    data: Vec<T>,
    size: usize,
    next: Option<String>,
) -> impl Serialize {
    PageBody {
        kind: "list",
        count: data.len(),
        size,
        data,
        links: PageLinks {
            this: self_url,
            next,
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShortUser<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    email: &'a str,
    mobile: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    first_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    middle_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_id_no: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_id_no_type: Option<&'a str>,
    links: Link,
}

/// The short user object `POST /users` and `POST /users/{id}` answer with.
pub fn short_user<'a>(base: &str, user: &'a User) -> impl Serialize + 'a {
    ShortUser {
        kind: "user",
        id: &user.id,
        email: &user.email,
        mobile: &user.mobile,
        first_name: &user.first_name,
        middle_name: &user.middle_name,
        last_name: &user.last_name,
        business_name: user.business_name.as_deref(),
        business_id_no: user.business_id_no.as_deref(),
        business_id_no_type: user.business_id_no_type.as_deref(),
        links: Link {
            this: format!("{base}/users/{}", user.id),
        },
    }
}
