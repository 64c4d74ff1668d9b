//! The compact form a Basiq transaction is held in, since a scenario may hold millions: ids
//! minted as UUIDs kept as their 16 bytes, the account's own fields shared with the account,
//! descriptions of the generated kinds kept as a merchant (a static string) and what follows
//! it, enumerated fields as one byte each, and the fields few transactions have (a reference,
//! BPAY details, a posting date other than the transaction date) boxed apart.
//!
//! Every field prints back exactly as it was given.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

use crate::generate::places;
use crate::ids::{parse_uuid, write_uuid};
use crate::scenario::model::BpaySpec;
use crate::value::{Money, Timestamp};

use super::model::{TRANSACTION_CLASSES, TRANSACTION_STATUSES};

/// A transaction id: a canonical (lowercase, hyphenated) UUID as its bytes, any other as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxnId {
    Uuid([u8; 16]),
    Text(Box<str>),
}

impl TxnId {
    /// The id written `text`.
    pub fn new(text: &str) -> TxnId {
        match parse_uuid(text) {
            Some(bytes) => TxnId::Uuid(bytes),
            None => TxnId::Text(text.into()),
        }
    }
}

impl From<String> for TxnId {
    fn from(text: String) -> TxnId {
        match parse_uuid(&text) {
            Some(bytes) => TxnId::Uuid(bytes),
            None => TxnId::Text(text.into_boxed_str()),
        }
    }
}

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxnId::Uuid(bytes) => {
                let mut buf = [0u8; 36];
                f.write_str(write_uuid(bytes, &mut buf))
            }
            TxnId::Text(text) => f.write_str(text),
        }
    }
}

impl serde::Serialize for TxnId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What every transaction of an account shares with it: one allocation per account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub account: String,
    pub connection: String,
    pub institution: String,
    pub currency: String,
    /// Where the account holder lives, as card purchases name it (`DEE WHY NSW`).
    pub locality: String,
}

/// A description, as compact as its shape allows; [`Description::text`] writes it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Description {
    /// A merchant's name, or another text sandbank writes itself.
    Static(&'static str),
    /// A card purchase: the merchant, a four-digit terminal number, the owner's locality.
    Card { merchant: &'static str, number: u16 },
    /// A merchant followed by the owner's locality (an ATM withdrawal).
    Local { merchant: &'static str },
    /// Anything else, as written.
    Text(Box<str>),
}

/// Static texts by their spelling.
type StaticTexts = HashMap<&'static str, &'static str, foldhash::fast::FixedState>;

/// Every static text generated descriptions start with.
static STATIC_TEXTS: LazyLock<StaticTexts> = LazyLock::new(|| {
    let m = &places::AU_MERCHANTS;
    [
        m.groceries,
        m.dining,
        m.transport,
        m.utilities,
        m.shopping,
        m.subscriptions,
        m.health,
        &[m.landlord, m.atm, "TRANSFER IN"],
    ]
    .into_iter()
    .flatten()
    .map(|s| (*s, *s))
    .collect()
});

impl Description {
    /// The compact form of `text` on an account whose holder lives in `locality`.
    pub fn new(text: Cow<'static, str>, locality: &str) -> Description {
        let text = match text {
            Cow::Borrowed(text) => return Description::Static(text),
            Cow::Owned(text) => text,
        };
        if let Some(s) = STATIC_TEXTS.get(text.as_str()) {
            return Description::Static(s);
        }
        if !locality.is_empty()
            && let Some(head) = text
                .strip_suffix(locality)
                .and_then(|t| t.strip_suffix(' '))
        {
            if let Some(merchant) = STATIC_TEXTS.get(head) {
                return Description::Local { merchant };
            }
            if let Some((merchant, number)) = head.rsplit_once(' ')
                && let Some(merchant) = STATIC_TEXTS.get(merchant)
                && number.len() == 4
                && number.bytes().all(|b| b.is_ascii_digit())
                && !number.starts_with('0')
                && let Ok(number) = number.parse::<u16>()
            {
                return Description::Card { merchant, number };
            }
        }
        Description::Text(text.into_boxed_str())
    }

    /// The description as written, for an owner living in `locality`.
    pub fn text<'a>(&'a self, locality: &str) -> Cow<'a, str> {
        match self {
            Description::Static(s) => Cow::Borrowed(s),
            Description::Card { merchant, number } => {
                Cow::Owned(format!("{merchant} {number} {locality}"))
            }
            Description::Local { merchant } => Cow::Owned(format!("{merchant} {locality}")),
            Description::Text(text) => Cow::Borrowed(text),
        }
    }
}

/// Enrich tag lists transactions carry.
pub const TAG_LISTS: &[&[&str]] = &[
    &[],
    &["income:salary"],
    &["governmentPayment:centrelink"],
    &["liability:afterpay"],
    &["expense:rent"],
    &["loan:loan repayment"],
    &["cash:withdrawal"],
];

/// The index of a value in a static list (the first when it is not there, which the lists'
/// callers never give).
fn index_of<T: PartialEq + ?Sized>(list: &[&T], value: &T) -> u8 {
    list.iter()
        .position(|v| *v == value)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

/// The fields few transactions have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extra {
    pub reference: Box<str>,
    pub bpay: Option<Arc<BpaySpec>>,
    /// A posting date other than the transaction date.
    pub post_date: Option<Timestamp>,
}

/// How a transaction's posting date is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Post {
    /// Not posted (pending).
    None,
    /// Posted on its transaction date.
    OnTransactionDate,
    /// Posted on the date in its [`Extra`].
    Other,
}

/// A transaction on an account.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: TxnId,
    pub owner: Arc<Owner>,
    description: Description,
    pub amount: Money,
    /// Running balance after this transaction (posted transactions only); see `has_balance`.
    balance: Money,
    transaction_date: Option<Timestamp>,
    /// Arrival order within the user: orders transactions of the same day and keeps paging
    /// cursors valid while new transactions arrive.
    pub seq: u64,
    /// ANZSIC group of a payment (`subClass`): code and title.
    pub sub_class: Option<&'static (&'static str, &'static str)>,
    extra: Option<Box<Extra>>,
    /// Index into [`TRANSACTION_STATUSES`].
    status: u8,
    /// Index into [`TRANSACTION_CLASSES`].
    class: u8,
    /// Index into [`TAG_LISTS`].
    tags: u8,
    /// Whether Enrich cleaned the description (transactions spelled out in a scenario are sent
    /// with an empty clean description).
    pub cleaned: bool,
    has_balance: bool,
    post: Post,
}

/// A transaction written out field by field, as it is made.
#[derive(Debug, Clone)]
pub struct NewTransaction {
    pub id: TxnId,
    pub description: Cow<'static, str>,
    pub reference: Box<str>,
    pub amount: Money,
    pub balance: Option<Money>,
    /// One of [`TRANSACTION_STATUSES`].
    pub status: &'static str,
    /// One of [`TRANSACTION_CLASSES`].
    pub class: &'static str,
    pub sub_class: Option<&'static (&'static str, &'static str)>,
    pub cleaned: bool,
    /// One of [`TAG_LISTS`].
    pub tags: &'static [&'static str],
    pub post_date: Option<Timestamp>,
    pub transaction_date: Option<Timestamp>,
    pub seq: u64,
    pub bpay: Option<Arc<BpaySpec>>,
}

impl Transaction {
    /// `new` on an account of `owner`.
    pub fn new(owner: &Arc<Owner>, new: NewTransaction) -> Transaction {
        let mut txn = Transaction {
            id: new.id,
            owner: owner.clone(),
            description: Description::new(new.description, &owner.locality),
            amount: new.amount,
            balance: new.balance.unwrap_or(Money(0)),
            transaction_date: new.transaction_date,
            seq: new.seq,
            sub_class: new.sub_class,
            extra: None,
            status: index_of(TRANSACTION_STATUSES, new.status),
            class: index_of(TRANSACTION_CLASSES, new.class),
            tags: index_of(TAG_LISTS, new.tags),
            cleaned: new.cleaned,
            has_balance: new.balance.is_some(),
            post: Post::None,
        };
        if !new.reference.is_empty() || new.bpay.is_some() {
            let extra = txn.extra.get_or_insert_with(Box::default);
            extra.reference = new.reference;
            extra.bpay = new.bpay;
        }
        txn.set_post_date(new.post_date);
        txn
    }

    pub fn account(&self) -> &str {
        &self.owner.account
    }

    pub fn connection(&self) -> &str {
        &self.owner.connection
    }

    pub fn institution(&self) -> &str {
        &self.owner.institution
    }

    pub fn currency(&self) -> &str {
        &self.owner.currency
    }

    /// One of [`TRANSACTION_STATUSES`].
    pub fn status(&self) -> &'static str {
        TRANSACTION_STATUSES
            .get(usize::from(self.status))
            .copied()
            .unwrap_or("posted")
    }

    pub fn set_status(&mut self, status: &'static str) {
        self.status = index_of(TRANSACTION_STATUSES, status);
    }

    /// One of [`TRANSACTION_CLASSES`].
    pub fn class(&self) -> &'static str {
        TRANSACTION_CLASSES
            .get(usize::from(self.class))
            .copied()
            .unwrap_or("payment")
    }

    /// Enrich tags, `tag:value`.
    pub fn tags(&self) -> &'static [&'static str] {
        TAG_LISTS
            .get(usize::from(self.tags))
            .copied()
            .unwrap_or(&[])
    }

    pub fn description(&self) -> Cow<'_, str> {
        self.description.text(&self.owner.locality)
    }

    pub fn reference(&self) -> &str {
        self.extra.as_ref().map_or("", |e| &e.reference)
    }

    /// `paymentDetails.bpay`, for a payment made by BPAY.
    pub fn bpay(&self) -> Option<&BpaySpec> {
        self.extra.as_ref().and_then(|e| e.bpay.as_deref())
    }

    pub fn balance(&self) -> Option<Money> {
        self.has_balance.then_some(self.balance)
    }

    pub fn set_balance(&mut self, balance: Option<Money>) {
        self.has_balance = balance.is_some();
        self.balance = balance.unwrap_or(Money(0));
    }

    pub fn transaction_date(&self) -> Option<Timestamp> {
        self.transaction_date
    }

    pub fn post_date(&self) -> Option<Timestamp> {
        match self.post {
            Post::None => None,
            Post::OnTransactionDate => self.transaction_date,
            Post::Other => self.extra.as_ref().and_then(|e| e.post_date),
        }
    }

    pub fn set_post_date(&mut self, post_date: Option<Timestamp>) {
        if let Some(extra) = self.extra.as_mut() {
            extra.post_date = None;
        }
        self.post = match post_date {
            None => Post::None,
            Some(at) if Some(at) == self.transaction_date => Post::OnTransactionDate,
            Some(at) => {
                self.extra.get_or_insert_with(Box::default).post_date = Some(at);
                Post::Other
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_kept_as_bytes_and_other_ids_as_written() {
        for text in [
            "0d33e1a4-5b6c-4f7e-8a9b-0c1d2e3f4a5b",
            "0D33E1A4-5B6C-4F7E-8A9B-0C1D2E3F4A5B",
            "0d33e1a45b6c4f7e8a9b0c1d2e3f4a5b",
            "t1",
            "",
        ] {
            let id = TxnId::new(text);
            assert_eq!(id.to_string(), text);
            assert_eq!(id, TxnId::from(text.to_owned()));
            assert_ne!(id, TxnId::new("0d33e1a4-5b6c-4f7e-8a9b-0c1d2e3f4a5c"));
        }
        assert!(matches!(
            TxnId::new("0d33e1a4-5b6c-4f7e-8a9b-0c1d2e3f4a5b"),
            TxnId::Uuid(_)
        ));
        assert!(matches!(
            TxnId::new("0D33E1A4-5B6C-4F7E-8A9B-0C1D2E3F4A5B"),
            TxnId::Text(_)
        ));
    }

    #[test]
    fn descriptions_print_back_as_written() {
        let locality = "DEE WHY NSW";
        for (text, compact) in [
            ("WOOLWORTHS 1234 DEE WHY NSW", true),
            ("WOOLWORTHS 0123 DEE WHY NSW", false),
            ("WOOLWORTHS 123 DEE WHY NSW", false),
            ("WOOLWORTHS", true),
            ("TRANSFER IN", true),
            ("WOOLWORTHS 1234 MANLY NSW", false),
            ("SALARY HOOLI", false),
            ("", false),
        ] {
            let d = Description::new(Cow::Owned(text.to_owned()), locality);
            assert_eq!(d.text(locality), text);
            assert_eq!(!matches!(d, Description::Text(_)), compact, "{text}");
        }
        let d = Description::new(Cow::Owned("WOOLWORTHS 1234".to_owned()), "");
        assert_eq!(d.text(""), "WOOLWORTHS 1234");
        let d = Description::new(Cow::Borrowed("CREDIT INTEREST"), "");
        assert_eq!(d, Description::Static("CREDIT INTEREST"));
    }

    #[test]
    fn a_transaction_stays_small() {
        // A million of them make up most of a large world's memory.
        assert!(std::mem::size_of::<Transaction>() <= 120);
    }

    #[test]
    fn dates_and_balances_read_back() {
        let owner = Arc::new(Owner {
            account: "a".into(),
            connection: "c".into(),
            institution: "AU00000".into(),
            currency: "AUD".into(),
            locality: String::new(),
        });
        let day = Timestamp::parse("2020-01-01T00:00:00Z");
        let next = Timestamp::parse("2020-01-02T00:00:00Z");
        let mut t = Transaction::new(
            &owner,
            NewTransaction {
                id: TxnId::new("t1"),
                description: Cow::Borrowed("X"),
                reference: "r".into(),
                amount: Money(-5),
                balance: Some(Money(0)),
                status: "pending",
                class: "payment",
                sub_class: None,
                cleaned: false,
                tags: &["income:salary"],
                post_date: next,
                transaction_date: day,
                seq: 3,
                bpay: None,
            },
        );
        assert_eq!(t.post_date(), next);
        assert_eq!(t.reference(), "r");
        assert_eq!(t.balance(), Some(Money(0)));
        assert_eq!(t.status(), "pending");
        assert_eq!(t.tags(), &["income:salary"]);
        t.set_post_date(day);
        assert_eq!(t.post_date(), day);
        t.set_post_date(None);
        assert_eq!(t.post_date(), None);
        t.set_balance(None);
        assert_eq!(t.balance(), None);
        t.set_status("posted");
        assert_eq!(t.status(), "posted");
    }
}
