//! What this feature books and how `verify` covers its tables (accounts, grants, the sign-in
//! record; sessions and limits are working state).

use super::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(crate) const FACTS: &[FactTable] = &[
    FactTable {
        table: "users",
        select: "SELECT id, username, display_name, password_hash, region_code, county_code, person_id, created_at, \
                 password_set_at FROM users",
        build: user_facts,
        kinds: &[
            (
                "account",
                "created_at",
                &[
                    "username",
                    "display_name",
                    "region=region_code",
                    "person_id",
                ],
            ),
            (
                "account.password",
                "password_set_at",
                &["password_sha256=password_hash"],
            ),
        ],
        key: Key::Id,
        versioned: true,
    },
    FactTable {
        table: "grants",
        select: "SELECT id, user_id, role, region_code, county_code, granted_by, granted_at, revoked_by, revoked_at FROM grants",
        build: grant_facts,
        kinds: &[
            (
                "grant",
                "granted_at",
                &["user_id", "role", "region=region_code", "granted_by"],
            ),
            ("grant.revoke", "revoked_at", &["revoked_by"]),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "account_status",
        select: "SELECT id, county_code, region_code, user_id, disabled, reason, actor_id, at FROM account_status",
        build: account_status_facts,
        kinds: &[
            (
                "account.disable",
                "at",
                &[
                    "@kind=disabled",
                    "user_id",
                    "region=region_code",
                    "reason",
                    "actor_id",
                ],
            ),
            (
                "account.enable",
                "at",
                &[
                    "@kind=disabled",
                    "user_id",
                    "region=region_code",
                    "reason",
                    "actor_id",
                ],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "auth_events",
        select: "SELECT id, county_code, region_code, at, kind, username, user_id, actor_id, ip, detail FROM auth_events",
        build: auth_event_facts,
        kinds: &[(
            "auth",
            "at",
            &[
                "region=region_code",
                "kind",
                "username",
                "user_id",
                "actor_id",
                "ip",
                "detail",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

/// Accounts, grants and the sign-in record: booked; sessions and sign-in limits: working state.
pub(crate) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "users",
            "",
            "t.region_code",
            "the first six digits of the account's region",
        ),
        Derived {
            table: "users",
            columns: &["disabled"],
            rule: "the latest account_status of the account (enabled when there is none)",
            check: Check::Sql(
                "SELECT CAST(u.id AS TEXT), CAST(u.disabled AS TEXT), CAST(COALESCE(s.disabled, 0) AS TEXT) \
                 FROM users u LEFT JOIN account_status s ON s.id = (SELECT MAX(a.id) FROM account_status a WHERE a.user_id = u.id) \
                 WHERE u.disabled IS DISTINCT FROM COALESCE(s.disabled, 0)",
            ),
        },
        county(
            "grants",
            "",
            "t.region_code",
            "the first six digits of the grant's region",
        ),
        county(
            "account_status",
            "",
            "t.region_code",
            "the first six digits of the account's region",
        ),
        county(
            "auth_events",
            "",
            "t.region_code",
            "the first six digits of the event's region",
        ),
        Derived {
            table: "sessions",
            columns: &["user_id", "created_at"],
            rule: "a signed-in session is opened by a booked sign-in of its account at its creation time",
            check: Check::Sql(
                "SELECT s.token_hash, CAST(s.user_id AS TEXT), 'no booked sign-in', CAST(s.created_at AS TEXT), 'no booked sign-in' \
                 FROM sessions s WHERE s.stage = 'full' AND NOT EXISTS (SELECT 1 FROM auth_events e \
                 WHERE e.user_id = s.user_id AND e.at = s.created_at AND e.kind = 'sign_in')",
            ),
        },
    ],
    unbooked: &[
        Unbooked {
            table: "users",
            column: "locale",
            reason: "the account's language preference",
        },
        Unbooked {
            table: "sessions",
            column: "*",
            reason: "working state of a signed-in browser (token digest, last use, address, second-step tries): \
                     every session is opened by a booked sign-in, which verify checks, and ended ones are booked as sign-outs",
        },
        Unbooked {
            table: "sign_in_limits",
            column: "*",
            reason: "throttling counters; every attempt they count is booked in auth_events",
        },
        Unbooked {
            table: "user_totp",
            column: "*",
            reason: "a second-factor secret and its replay counter, credentials like a password; \
                     enrolment and removal are booked in auth_events",
        },
        Unbooked {
            table: "recovery_codes",
            column: "*",
            reason: "digests of one-time recovery codes, credentials; their issue is booked in auth_events",
        },
    ],
};
