//! Departments and people, and their facts.

use super::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "departments",
        select: "SELECT id, region_code, county_code, kind, name, credit_code, stationed_by, created_at FROM departments",
        build: department_facts,
        kinds: &[(
            "department",
            "created_at",
            &[
                "region=region_code",
                "kind",
                "name",
                "credit_code",
                "stationed_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "people",
        select: "SELECT id, department_id, region_code, county_code, name, position, phone, created_at FROM people",
        build: person_facts,
        kinds: &[(
            "person",
            "created_at",
            &[
                "department_id",
                "region=region_code",
                "name",
                "position",
                "phone",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "departments",
            "",
            "t.region_code",
            "the first six digits of the department's region",
        ),
        county(
            "people",
            "",
            "t.region_code",
            "the first six digits of the person's region",
        ),
    ],
    unbooked: &[],
};

pub(crate) fn department_row(r: &DbRow) -> Result<Department> {
    Ok(Department {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        credit_code: r.try_get("credit_code")?,
        stationed_by: r.try_get("stationed_by")?,
    })
}

pub(crate) fn person_row(r: &DbRow) -> Result<Person> {
    Ok(Person {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        department_id: r.try_get("department_id")?,
        name: r.try_get("name")?,
        position: r.try_get("position")?,
        phone: r.try_get("phone")?,
    })
}

pub(crate) const DEPARTMENT_COLS: &str = "id, region_code, kind, name, credit_code, stationed_by";

pub(crate) const PERSON_COLS: &str = "id, region_code, department_id, name, position, phone";

pub(crate) async fn insert_department(
    tx: &mut sqlx::Transaction<'static, DB>,
    d: &NewDepartment,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO departments (county_code, region_code, kind, name, credit_code, stationed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(d.region.county_code())
    .bind(d.region.as_str())
    .bind(d.kind.key())
    .bind(d.name.as_str())
    .bind(d.credit_code.as_ref().map(|c| c.as_str().to_string()))
    .bind(d.stationed_by.as_deref())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "departments", id).await?;
    Ok(id)
}

pub(crate) fn department_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "department",
            "departments",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("kind", r.try_get::<String, _>("kind")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field(
            "credit_code",
            r.try_get::<Option<String>, _>("credit_code")?,
        )
        .field(
            "stationed_by",
            r.try_get::<Option<String>, _>("stationed_by")?,
        ),
    ])
}

pub(crate) fn person_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "person",
            "people",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("department_id", r.try_get::<i64, _>("department_id")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("position", r.try_get::<String, _>("position")?)
        .field("phone", r.try_get::<Option<String>, _>("phone")?),
    ])
}

pub(crate) async fn insert_person(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &NewPerson,
    now: i64,
) -> Result<i64> {
    let dept = sqlx::query("SELECT region_code, county_code FROM departments WHERE id = $1")
        .bind(p.department_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("department"))?;
    let region: String = dept.try_get(0)?;
    let county: String = dept.try_get(1)?;
    let row = sqlx::query(
        "INSERT INTO people (county_code, region_code, department_id, name, position, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(county)
    .bind(region)
    .bind(p.department_id)
    .bind(p.name.as_str())
    .bind(p.position.key())
    .bind(p.phone.as_deref())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "people", id).await?;
    Ok(id)
}

#[async_trait]
impl OrgStore for StoreImpl {
    async fn create_department(&self, d: &NewDepartment, now: i64) -> Result<Department> {
        let mut tx = begin_write(&self.pool).await?;
        let id = insert_department(&mut tx, d, now).await?;
        tx.commit().await?;
        self.department(id)
            .await?
            .ok_or(StoreError::NotFound("department"))
    }

    async fn create_departments(&self, ds: &[NewDepartment], now: i64) -> Result<Vec<i64>> {
        let mut tx = begin_write(&self.pool).await?;
        let mut ids = Vec::with_capacity(ds.len());
        for d in ds {
            ids.push(insert_department(&mut tx, d, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn department(&self, id: i64) -> Result<Option<Department>> {
        let q = format!("SELECT {DEPARTMENT_COLS} FROM departments WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(department_row)
            .transpose()
    }

    async fn departments_in(&self, region: &RegionCode) -> Result<Vec<Department>> {
        let q =
            format!("SELECT {DEPARTMENT_COLS} FROM departments WHERE region_code = $1 ORDER BY id");
        sqlx::query(AssertSqlSafe(q))
            .bind(region.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(department_row)
            .collect()
    }

    async fn create_person(&self, p: &NewPerson, now: i64) -> Result<Person> {
        let mut tx = begin_write(&self.pool).await?;
        let id = insert_person(&mut tx, p, now).await?;
        tx.commit().await?;
        self.person(id).await?.ok_or(StoreError::NotFound("person"))
    }

    async fn create_people(&self, ps: &[NewPerson], now: i64) -> Result<u64> {
        let mut tx = begin_write(&self.pool).await?;
        for p in ps {
            insert_person(&mut tx, p, now).await?;
        }
        tx.commit().await?;
        Ok(ps.len() as u64)
    }

    async fn person(&self, id: i64) -> Result<Option<Person>> {
        let q = format!("SELECT {PERSON_COLS} FROM people WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(person_row)
            .transpose()
    }

    async fn people_in_department(&self, department_id: i64) -> Result<Vec<Person>> {
        let q = format!("SELECT {PERSON_COLS} FROM people WHERE department_id = $1 ORDER BY id");
        sqlx::query(AssertSqlSafe(q))
            .bind(department_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(person_row)
            .collect()
    }
}
