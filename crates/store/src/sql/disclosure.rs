//! The public portal: read-only queries for the region pages and the search (included into both
//! backends). Subtrees are bounded on the `(county_code, region_code)` indexes as in `summary`;
//! no query selects a payee, a beneficiary, an ID number, a phone or a bank account.

use super::*;

/// Kinds of transfer by which money reaches a region: received from outside the city's books,
/// appropriated from the level above, arranged to a project.
const INFLOW: &str = "('receive', 'appropriate', 'arrange')";

/// Not reversed (a reversal is a transfer whose `reverses` names the one it undoes).
fn not_reversed(alias: &str) -> String {
    format!("NOT EXISTS (SELECT 1 FROM transfers x WHERE x.reverses = {alias}.id)")
}

/// The stages the public sees, as an SQL list.
fn public_stages() -> String {
    let quoted: Vec<String> = PUBLIC_STAGES.iter().map(|s| format!("'{s}'")).collect();
    format!("({})", quoted.join(", "))
}

fn place_row(r: &DbRow) -> Result<Place> {
    let level: i64 = r.try_get("level")?;
    Ok(Place {
        code: code(&r.try_get::<String, _>("code")?)?,
        name: r.try_get("name")?,
        level: Level::from_i64(level)
            .ok_or_else(|| StoreError::Corrupt(format!("region level {level}")))?,
    })
}

fn fen(r: &DbRow, col: &str) -> Result<i64> {
    Ok(r.try_get::<Option<i64>, _>(col)?.unwrap_or(0))
}

#[async_trait]
impl DisclosureStore for StoreImpl {
    async fn public_region(&self, region: &RegionCode) -> Result<Option<PublicRegion>> {
        let mut conn = self.reads().acquire().await?;
        let Some(me) = sqlx::query("SELECT code, name, level FROM regions WHERE code = $1")
            .bind(region.as_str())
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let me = place_row(&me)?;
        let mut ancestors = Vec::new();
        for a in region.lineage() {
            if a == *region {
                continue;
            }
            if let Some(r) = sqlx::query("SELECT code, name, level FROM regions WHERE code = $1")
                .bind(a.as_str())
                .fetch_optional(&mut *conn)
                .await?
            {
                ancestors.push(place_row(&r)?);
            }
        }
        let children = sqlx::query(
            "SELECT code, name, level FROM regions WHERE parent_code = $1 ORDER BY code",
        )
        .bind(region.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(place_row)
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(PublicRegion {
            region: me,
            ancestors,
            children,
        }))
    }

    async fn public_projects(&self, region: &RegionCode, limit: i64) -> Result<Vec<PublicProject>> {
        let (clo, chi, lo, hi) = subtree_bounds(region);
        let one = clo == chi;
        // The newest projects first, limited before the money of each is summed (on the
        // project's own accounts, found by the `(county_code, region_code)` index).
        let q = format!(
            "SELECT p.id, p.name, p.stage, p.status, p.progress, p.notice_from, p.budget_total, \
             (SELECT r.name FROM regions r WHERE r.code = p.region_code) AS place, \
             (SELECT u.name FROM regions r JOIN regions u ON u.code = r.parent_code \
               WHERE r.code = p.region_code AND u.level >= 4) AS above, \
             (SELECT CAST(SUM(a.credited) AS BIGINT) FROM ledger_accounts a \
               WHERE a.county_code = p.county_code AND a.region_code = p.region_code \
               AND a.owner_kind = 'project' AND a.project_id = p.id) AS arranged, \
             (SELECT CAST(SUM(t.amount) AS BIGINT) FROM ledger_accounts a \
               JOIN transfers t ON t.from_account = a.id \
               WHERE a.county_code = p.county_code AND a.region_code = p.region_code \
               AND a.owner_kind = 'project' AND a.project_id = p.id \
               AND t.kind = 'disburse' AND t.state = 'paid' AND {nr}) AS paid \
             FROM (SELECT * FROM projects WHERE {sub} AND stage IN {stages} \
               ORDER BY id DESC LIMIT $5) p ORDER BY p.id DESC",
            nr = not_reversed("t"),
            sub = subtree_sql("", one),
            stages = public_stages(),
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(clo)
            .bind(chi)
            .bind(lo)
            .bind(hi)
            .bind(limit)
            .fetch_all(self.reads())
            .await?
            .iter()
            .map(|r| {
                Ok(PublicProject {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    place: [
                        r.try_get::<Option<String>, _>("above")?,
                        r.try_get("place")?,
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<String>>()
                    .join(" · "),
                    stage: r.try_get("stage")?,
                    status: r.try_get("status")?,
                    progress: r.try_get("progress")?,
                    notice_from: r.try_get("notice_from")?,
                    budget_fen: r.try_get("budget_total")?,
                    arranged_fen: fen(r, "arranged")?,
                    paid_fen: fen(r, "paid")?,
                })
            })
            .collect()
    }

    async fn public_funds(&self, region: &RegionCode, limit: i64) -> Result<PublicFunds> {
        let (clo, chi, lo, hi) = subtree_bounds(region);
        let one = clo == chi;
        let sub = subtree_sql("a", one);
        let bind4 = |q: String| {
            sqlx::query(AssertSqlSafe(q))
                .bind(clo.clone())
                .bind(chi.clone())
                .bind(lo.clone())
                .bind(hi.clone())
        };
        let inflow = format!(
            "{sub} AND t.kind IN {INFLOW} AND (t.kind <> 'appropriate' OR t.state = 'received') \
             AND {}",
            not_reversed("t")
        );
        let mut conn = self.reads().acquire().await?;
        let q = format!(
            "SELECT t.id, t.kind, t.document_no, t.amount, t.booked_on, f.name AS fund_name, \
             f.source, a.region_code, r.name AS region_name, \
             CASE WHEN p.stage IN {stages} THEN p.id END AS project_id, \
             CASE WHEN p.stage IN {stages} THEN p.name END AS project_name \
             FROM ledger_accounts a JOIN transfers t ON t.to_account = a.id \
             JOIN funds f ON f.id = t.fund_id JOIN regions r ON r.code = a.region_code \
             LEFT JOIN projects p ON p.id = a.project_id \
             WHERE {inflow} ORDER BY t.booked_on DESC, t.id DESC LIMIT $5",
            stages = public_stages(),
        );
        let transfers = bind4(q)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let project = match (
                    r.try_get::<Option<i64>, _>("project_id")?,
                    r.try_get::<Option<String>, _>("project_name")?,
                ) {
                    (Some(id), Some(name)) => Some((id, name)),
                    _ => None,
                };
                Ok(PublicTransfer {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    fund_name: r.try_get("fund_name")?,
                    source: r.try_get("source")?,
                    document_no: r.try_get("document_no")?,
                    amount_fen: r.try_get("amount")?,
                    booked_on: r.try_get("booked_on")?,
                    to_region: code(&r.try_get::<String, _>("region_code")?)?,
                    to_region_name: r.try_get("region_name")?,
                    to_project: project,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Received: what came in from outside the subtree (a transfer between two accounts of
        // the subtree is counted once, where it left the levels above).
        let q = format!(
            "SELECT CAST(SUM(t.amount) AS BIGINT) AS received FROM ledger_accounts a \
             JOIN transfers t ON t.to_account = a.id \
             LEFT JOIN ledger_accounts s ON s.id = t.from_account \
             WHERE {inflow} AND (s.id IS NULL OR s.region_code < $3 OR s.region_code > $4)"
        );
        let received_fen = fen(&bind4(q).fetch_one(&mut *conn).await?, "received")?;
        let q = format!(
            "SELECT CAST(SUM(t.amount) AS BIGINT) AS arranged FROM ledger_accounts a \
             JOIN transfers t ON t.to_account = a.id \
             WHERE {sub} AND a.owner_kind = 'project' AND t.kind = 'arrange' AND {}",
            not_reversed("t")
        );
        let arranged_fen = fen(&bind4(q).fetch_one(&mut *conn).await?, "arranged")?;
        let q = format!(
            "SELECT CAST(SUM(t.amount) AS BIGINT) AS paid FROM ledger_accounts a \
             JOIN transfers t ON t.from_account = a.id \
             WHERE {sub} AND a.owner_kind = 'project' AND t.kind = 'disburse' \
             AND t.state = 'paid' AND {}",
            not_reversed("t")
        );
        let paid_fen = fen(&bind4(q).fetch_one(&mut *conn).await?, "paid")?;
        Ok(PublicFunds {
            transfers,
            received_fen,
            arranged_fen,
            paid_fen,
        })
    }

    async fn public_search(&self, q: &str, limit: i64) -> Result<PublicSearch> {
        let pattern = like_pattern(q.trim());
        let mut conn = self.reads().acquire().await?;
        let regions = sqlx::query(
            "SELECT code, name, level FROM regions WHERE level >= 3 \
             AND name LIKE $1 ESCAPE '!' ORDER BY level, code LIMIT $2",
        )
        .bind(&pattern)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(place_row)
        .collect::<Result<Vec<_>>>()?;
        let sql = format!(
            "SELECT p.id, p.name, p.stage, r.name AS place FROM projects p \
             JOIN regions r ON r.code = p.region_code \
             WHERE p.stage IN {} AND p.name LIKE $1 ESCAPE '!' ORDER BY p.id DESC LIMIT $2",
            public_stages()
        );
        let projects = sqlx::query(AssertSqlSafe(sql))
            .bind(&pattern)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(PublicProjectHit {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    place: r.try_get("place")?,
                    stage: r.try_get("stage")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let doc = |r: &DbRow| -> Result<PublicDocument> {
            Ok(PublicDocument {
                document_no: r.try_get("document_no")?,
                fund_name: r.try_get("fund_name")?,
                kind: r.try_get("kind")?,
                amount_fen: r.try_get("amount")?,
                booked_on: r.try_get("booked_on")?,
                region: code(&r.try_get::<String, _>("region_code")?)?,
                region_name: r.try_get("region_name")?,
            })
        };
        let mut documents = sqlx::query(
            "SELECT f.document_no, f.name AS fund_name, 'fund' AS kind, CAST(0 AS BIGINT) AS amount, \
             CAST(NULL AS TEXT) AS booked_on, f.region_code, r.name AS region_name \
             FROM funds f JOIN regions r ON r.code = f.region_code \
             WHERE f.document_no LIKE $1 ESCAPE '!' ORDER BY f.id DESC LIMIT $2",
        )
        .bind(&pattern)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(doc)
        .collect::<Result<Vec<_>>>()?;
        let sql = format!(
            "SELECT t.document_no, f.name AS fund_name, t.kind, t.amount, t.booked_on, \
             a.region_code, r.name AS region_name FROM transfers t \
             JOIN funds f ON f.id = t.fund_id JOIN ledger_accounts a ON a.id = t.to_account \
             JOIN regions r ON r.code = a.region_code \
             WHERE t.kind IN {INFLOW} AND t.document_no LIKE $1 ESCAPE '!' AND {} \
             ORDER BY t.id DESC LIMIT $2",
            not_reversed("t")
        );
        documents.extend(
            sqlx::query(AssertSqlSafe(sql))
                .bind(&pattern)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(doc)
                .collect::<Result<Vec<_>>>()?,
        );
        Ok(PublicSearch {
            regions,
            projects,
            documents,
        })
    }
}
