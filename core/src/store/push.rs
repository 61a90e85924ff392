//! The push tables: this device's registration and the registrations still
//! to be deleted. Rows hold the delivery and platform as the names `push/`
//! gives them; what they mean is `push/`'s business.

use rusqlite::{Connection, OptionalExtension};

use super::{StoreResult, Writer};

/// A device as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub delivery: String,
    pub platform: String,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    pub device: DeviceRow,
    pub registered_at: i64,
    pub attached_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeardownRow {
    pub device: DeviceRow,
    pub push_service_done: bool,
    pub server_done: bool,
}

pub fn registration_row(conn: &Connection) -> StoreResult<Option<RegistrationRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT delivery, platform, token, registered_at, attached_at
             FROM push_registration WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(RegistrationRow {
                device: DeviceRow {
                    delivery: r.get(0)?,
                    platform: r.get(1)?,
                    token: r.get(2)?,
                },
                registered_at: r.get(3)?,
                attached_at: r.get(4)?,
            })
        })
        .optional()?)
}

/// A registration at the school's push gateway, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayRow {
    pub token: String,
    pub gateway: String,
    pub secret: String,
    pub endpoint_digest: String,
}

pub fn gateway_row(conn: &Connection, token: &str) -> StoreResult<Option<GatewayRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT token, gateway, secret, endpoint_digest FROM push_gateway WHERE token = ?1",
        )?
        .query_row([token], |r| {
            Ok(GatewayRow {
                token: r.get(0)?,
                gateway: r.get(1)?,
                secret: r.get(2)?,
                endpoint_digest: r.get(3)?,
            })
        })
        .optional()?)
}

/// Oldest first.
pub fn teardown_rows(conn: &Connection) -> StoreResult<Vec<TeardownRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT delivery, platform, token, push_service_done, server_done
         FROM push_teardown ORDER BY created_at, token",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(TeardownRow {
            device: DeviceRow {
                delivery: r.get(0)?,
                platform: r.get(1)?,
                token: r.get(2)?,
            },
            push_service_done: r.get(3)?,
            server_done: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Writer<'_> {
    pub fn set_registration_delivery(&mut self, delivery: &str) -> StoreResult<()> {
        self.conn()
            .prepare_cached("UPDATE push_registration SET delivery = ?1 WHERE id = 1")?
            .execute([delivery])?;
        Ok(())
    }

    /// Replaces the registration (not yet attached to the server session)
    /// and drops an owed teardown of the same token, which it supersedes.
    pub fn replace_registration_row(&mut self, device: &DeviceRow, at: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO push_registration (id, delivery, platform, token, registered_at, attached_at)
                 VALUES (1, ?1, ?2, ?3, ?4, 0)
                 ON CONFLICT(id) DO UPDATE SET delivery = excluded.delivery,
                     platform = excluded.platform, token = excluded.token,
                     registered_at = excluded.registered_at, attached_at = 0",
            )?
            .execute(rusqlite::params![
                device.delivery,
                device.platform,
                device.token,
                at
            ])?;
        self.conn()
            .prepare_cached("DELETE FROM push_teardown WHERE token = ?1")?
            .execute([&device.token])?;
        Ok(())
    }

    pub fn save_gateway_row(&mut self, row: &GatewayRow, at: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO push_gateway (token, gateway, secret, endpoint_digest, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(token) DO UPDATE SET gateway = excluded.gateway,
                     secret = excluded.secret, endpoint_digest = excluded.endpoint_digest",
            )?
            .execute(rusqlite::params![
                row.token,
                row.gateway,
                row.secret,
                row.endpoint_digest,
                at
            ])?;
        Ok(())
    }

    /// Forgets a gateway registration once the gateway deleted it.
    pub fn delete_gateway_row(&mut self, token: &str) -> StoreResult<()> {
        self.conn()
            .prepare_cached("DELETE FROM push_gateway WHERE token = ?1")?
            .execute([token])?;
        Ok(())
    }

    pub fn mark_registration_attached(&mut self, token: &str, at: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "UPDATE push_registration SET attached_at = ?2 WHERE id = 1 AND token = ?1",
            )?
            .execute(rusqlite::params![token, at])?;
        Ok(())
    }

    pub fn delete_registration_row(&mut self) -> StoreResult<()> {
        self.conn()
            .execute("DELETE FROM push_registration WHERE id = 1", [])?;
        Ok(())
    }

    /// Owes the deletion of `device`; queued twice, the server step stays
    /// owed if either says so.
    pub fn queue_teardown_row(
        &mut self,
        device: &DeviceRow,
        server_done: bool,
        at: i64,
    ) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO push_teardown (token, delivery, platform, server_done, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(token) DO UPDATE SET
                     server_done = min(push_teardown.server_done, excluded.server_done)",
            )?
            .execute(rusqlite::params![
                device.token,
                device.delivery,
                device.platform,
                server_done,
                at
            ])?;
        Ok(())
    }

    /// Records finished teardown steps; a teardown with both done is gone.
    pub fn record_teardown_progress(
        &mut self,
        token: &str,
        push_service_done: bool,
        server_done: bool,
    ) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "UPDATE push_teardown SET push_service_done = max(push_service_done, ?2),
                     server_done = max(server_done, ?3)
                 WHERE token = ?1",
            )?
            .execute(rusqlite::params![token, push_service_done, server_done])?;
        self.conn().execute(
            "DELETE FROM push_teardown WHERE push_service_done = 1 AND server_done = 1",
            [],
        )?;
        Ok(())
    }
}

/// An entry of the consent log as stored: the decision and the delivery
/// by the names `push/` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    pub seq: i64,
    pub at: i64,
    pub decision: String,
    pub delivery: String,
    pub consent_text_version: String,
}

fn consent_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConsentRow> {
    Ok(ConsentRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        decision: r.get(2)?,
        delivery: r.get(3)?,
        consent_text_version: r.get(4)?,
    })
}

/// The newest entry of the consent log, if any.
pub fn newest_consent_row(conn: &Connection) -> StoreResult<Option<ConsentRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT seq, at, decision, delivery, consent_text_version
             FROM push_consent_log ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], consent_row)
        .optional()?)
}

/// Every entry of the consent log, oldest first.
pub fn consent_rows(conn: &Connection) -> StoreResult<Vec<ConsentRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, decision, delivery, consent_text_version
         FROM push_consent_log ORDER BY seq",
    )?;
    let rows = stmt.query_map([], consent_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Writer<'_> {
    /// Appends an entry to the consent log (which is never changed, only
    /// added to).
    pub fn append_consent_row(
        &mut self,
        at: i64,
        decision: &str,
        delivery: &str,
        consent_text_version: &str,
    ) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO push_consent_log (at, decision, delivery, consent_text_version)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(rusqlite::params![
                at,
                decision,
                delivery,
                consent_text_version
            ])?;
        Ok(())
    }
}
