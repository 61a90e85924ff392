//! This device's registration: the device id the server session carries,
//! what the store keeps of it, the teardown owed after a withdrawal, and
//! the [`PushRegistrar`] through which the platform deletes a registration
//! at its push service.

use futures_util::future::BoxFuture;
use rusqlite::Connection;
use serde::Serialize;

use super::consent::Delivery;
use super::gateway::GatewayRegistration;
use crate::api::push::MAX_DEVICE_ID_LEN;
use crate::error::{Error, Result};
use crate::store::{
    gateway_row, registration_row, teardown_rows, DeviceRow, GatewayRow, StoreError, StoreResult,
    Writer,
};

/// The platform prefix of a device id. The server accepts only the
/// platforms of the official apps (`android_rn`, `apple_rn`, ... with an
/// optional `-v<N>` suffix; anything else is a 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushPlatform {
    /// `android_rn-v2`: FCM tokens and UnifiedPush gateway tokens.
    Android,
    /// `apple_rn-v2`: APNs tokens.
    Apple,
}

impl PushPlatform {
    /// The prefix sent to the server, with the v2 push protocol suffix.
    pub fn device_prefix(self) -> &'static str {
        match self {
            PushPlatform::Android => "android_rn-v2",
            PushPlatform::Apple => "apple_rn-v2",
        }
    }

    /// The name the server puts into a push's `platform` field (and the
    /// app sends back in the acknowledgement).
    pub fn ack_platform(self) -> &'static str {
        match self {
            PushPlatform::Android => "android",
            PushPlatform::Apple => "ios",
        }
    }

    fn parse(s: &str) -> Option<PushPlatform> {
        match s {
            "android_rn-v2" => Some(PushPlatform::Android),
            "apple_rn-v2" => Some(PushPlatform::Apple),
            _ => None,
        }
    }
}

/// What the platform hands the core after registering with a push
/// service. The token is not a session secret, but it addresses this
/// device: it is kept out of logs and `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PushDevice {
    pub delivery: Delivery,
    pub platform: PushPlatform,
    /// The FCM or APNs token, or for UnifiedPush the opaque id the school's
    /// push gateway issued for the distributor's endpoint.
    pub token: String,
}

impl std::fmt::Debug for PushDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushDevice")
            .field("delivery", &self.delivery)
            .field("platform", &self.platform)
            .field("token_len", &self.token.len())
            .finish()
    }
}

impl PushDevice {
    /// `"<platform>:<token>"` as `PUT /users/sessions/device` wants it.
    pub fn device_id(&self) -> String {
        format!("{}:{}", self.platform.device_prefix(), self.token)
    }

    /// Refuses what the server would refuse (or what would break the
    /// `platform:token` split), before anything is stored or sent.
    pub fn validate(&self) -> Result<()> {
        if !self.delivery.uses_push_service() {
            return Err(Error::InvalidInput {
                reason: "a background connection registers no push device".into(),
            });
        }
        let bad = |reason: &str| Error::InvalidInput {
            reason: format!("push token {reason}"),
        };
        if self.token.is_empty() {
            return Err(bad("is empty"));
        }
        if self.device_id().len() > MAX_DEVICE_ID_LEN {
            return Err(bad("is too long"));
        }
        if !self
            .token
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b':')
        {
            return Err(bad("has characters a device id cannot carry"));
        }
        Ok(())
    }
}

/// Deletes a registration at the push service it was made with, so the
/// service forgets this device. Implemented by the platform layer: for
/// UnifiedPush it unregisters from the distributor (the core itself deletes
/// the registration it made at the school's gateway), for platform push it
/// deletes the FCM/APNs token. The core calls it on withdrawal and when a
/// token is replaced, and retries until it returns `Ok`.
pub trait PushRegistrar: Send + Sync + 'static {
    /// `Ok` also when the service no longer knows the registration.
    fn unregister(&self, device: PushDevice) -> BoxFuture<'static, Result<(), RegistrarError>>;
}

/// Why a registration could not be deleted; the core keeps it owed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("push registration not deleted: {reason}")]
pub struct RegistrarError {
    pub reason: String,
}

/// The device id that replaces the real one on the server session when
/// consent is withdrawn.
///
/// The server offers no way to take a device id off a session:
/// `PUT /users/sessions/device` answers 400 `device_id` for an empty id
/// (`attachDeviceId`, server/channels/api4/user.go), and only a push
/// proxy's `REMOVE` answer clears it (`sendToPushProxy`,
/// server/channels/app/push_notifications.go: older servers call
/// `AttachDeviceId(session, "")`, current ones record
/// `last_removed_device_id` in the session props and stop using it).
/// Signing out and in again would drop the device id too, but needs the
/// password again.
///
/// So withdrawal attaches a dead placeholder: a token no push service
/// issued, which no service can deliver to. The server's next push for the
/// session goes to the push proxy with this token, carrying no device
/// address; the proxy cannot deliver it and answers `REMOVE`, after which
/// the server sends nothing more for the session (since 10.5 the session
/// query skips a device id equal to `last_removed_device_id`:
/// `GetSessionsWithActiveDeviceIds`, server/channels/store/sqlstore/
/// session_store.go). The one push that reaches the proxy carries what the
/// server's `PushNotificationContents` allows; the school's gateway drops
/// it unread. The placeholder is random
/// per withdrawal because attaching a device id also revokes every other
/// session of the user carrying the same id (`RevokeSessionsForDeviceId`):
/// a shared placeholder would sign out the user's other devices.
pub(crate) fn withdrawn_placeholder(platform: PushPlatform) -> PushDevice {
    use rand::Rng;
    let mut rng = rand::rng();
    let random: String = (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect();
    PushDevice {
        // The delivery does not matter for a device id nobody serves.
        delivery: Delivery::PlatformPush,
        platform,
        token: format!("{WITHDRAWN_TOKEN_PREFIX}{random}"),
    }
}

/// Placeholder tokens start with this, so a push proxy (and a reader of
/// the server's session list) can tell them apart from real ones.
pub const WITHDRAWN_TOKEN_PREFIX: &str = "pausenhof-withdrawn-";

/// The stored registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredRegistration {
    pub device: PushDevice,
    pub registered_at: i64,
    pub attached_at: i64,
}

/// A registration still to be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Teardown {
    pub device: PushDevice,
    /// Set when the core made the registration at the school's gateway.
    pub gateway: Option<GatewayRegistration>,
    pub push_service_done: bool,
    pub server_done: bool,
}

/// A registration to delete at its push service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unregistration {
    pub device: PushDevice,
    pub gateway: Option<GatewayRegistration>,
}

impl PushDevice {
    fn row(&self) -> DeviceRow {
        DeviceRow {
            delivery: self.delivery.as_str().to_owned(),
            platform: self.platform.device_prefix().to_owned(),
            token: self.token.clone(),
        }
    }

    fn from_row(row: DeviceRow) -> StoreResult<PushDevice> {
        match (
            Delivery::parse(&row.delivery),
            PushPlatform::parse(&row.platform),
        ) {
            (Some(delivery), Some(platform)) => Ok(PushDevice {
                delivery,
                platform,
                token: row.token,
            }),
            _ => Err(StoreError::Corrupt(
                "push registration with an unknown delivery or platform".into(),
            )),
        }
    }
}

pub(crate) fn registration(conn: &Connection) -> StoreResult<Option<StoredRegistration>> {
    registration_row(conn)?
        .map(|row| {
            Ok(StoredRegistration {
                device: PushDevice::from_row(row.device)?,
                registered_at: row.registered_at,
                attached_at: row.attached_at,
            })
        })
        .transpose()
}

pub(crate) fn teardowns(conn: &Connection) -> StoreResult<Vec<Teardown>> {
    teardown_rows(conn)?
        .into_iter()
        .map(|row| {
            Ok(Teardown {
                gateway: gateway_registration(conn, &row.device.token)?,
                device: PushDevice::from_row(row.device)?,
                push_service_done: row.push_service_done,
                server_done: row.server_done,
            })
        })
        .collect()
}

pub(crate) fn gateway_registration(
    conn: &Connection,
    token: &str,
) -> StoreResult<Option<GatewayRegistration>> {
    Ok(gateway_row(conn, token)?.map(|row| GatewayRegistration {
        gateway: row.gateway,
        token: row.token,
        secret: row.secret,
        endpoint_digest: row.endpoint_digest,
    }))
}

impl Writer<'_> {
    /// Remembers what deletes a gateway registration, before the token it
    /// names is handed to the server.
    pub(crate) fn save_gateway_registration(
        &mut self,
        registration: &GatewayRegistration,
        at: i64,
    ) -> StoreResult<()> {
        self.save_gateway_row(
            &GatewayRow {
                token: registration.token.clone(),
                gateway: registration.gateway.clone(),
                secret: registration.secret.clone(),
                endpoint_digest: registration.endpoint_digest.clone(),
            },
            at,
        )
    }

    /// Makes `device` the registration. A different previous token is
    /// queued for deletion at its push service (the new device id replaces
    /// it on the session, so the server needs nothing more). Registering a
    /// token again (consent given anew) supersedes its owed teardown.
    pub(crate) fn set_registration(&mut self, device: &PushDevice, at: i64) -> StoreResult<()> {
        if let Some(old) = registration(self.conn())? {
            if old.device.token == device.token && old.device.platform == device.platform {
                return self.set_registration_delivery(device.delivery.as_str());
            }
            self.queue_teardown_row(&old.device.row(), true, at)?;
        }
        self.replace_registration_row(&device.row(), at)
    }

    /// Moves the registration (if any) to the teardown list: it must be
    /// deleted at its push service and taken off the server session.
    pub(crate) fn retire_registration(&mut self, at: i64) -> StoreResult<Option<PushDevice>> {
        let Some(old) = registration(self.conn())? else {
            return Ok(None);
        };
        self.queue_teardown_row(&old.device.row(), false, at)?;
        self.delete_registration_row()?;
        Ok(Some(old.device))
    }
}

/// Deletes one registration at its push service: at the school's gateway
/// when the core registered it there, and through the platform's
/// registrar (the distributor, FCM, APNs) when one is set. Without either
/// nothing can delete it, and it stays owed.
pub(crate) async fn unregister(
    http: &reqwest::Client,
    registrar: Option<std::sync::Arc<dyn PushRegistrar>>,
    what: &Unregistration,
) -> Result<(), RegistrarError> {
    if let Some(registration) = &what.gateway {
        super::gateway::unregister(http, registration).await?;
    }
    match registrar {
        Some(registrar) => registrar.unregister(what.device.clone()).await,
        None if what.gateway.is_some() => Ok(()),
        None => Err(RegistrarError {
            reason: "no push registrar set".into(),
        }),
    }
}

/// Every registration still known at a push service: retired ones not yet
/// deleted there, and the current one (what a sign-out deletes).
pub(crate) fn devices_to_unregister(conn: &Connection) -> StoreResult<Vec<Unregistration>> {
    let mut devices: Vec<Unregistration> = teardowns(conn)?
        .into_iter()
        .filter(|t| !t.push_service_done)
        .map(|t| Unregistration {
            device: t.device,
            gateway: t.gateway,
        })
        .collect();
    if let Some(current) = registration(conn)? {
        devices.push(Unregistration {
            gateway: gateway_registration(conn, &current.device.token)?,
            device: current.device,
        });
    }
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{OpenCheck, Store};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_blocking(dir.path().join("s.sqlite"), OpenCheck::Header).unwrap();
        (dir, store)
    }

    fn device(token: &str) -> PushDevice {
        PushDevice {
            delivery: Delivery::UnifiedPush,
            platform: PushPlatform::Android,
            token: token.into(),
        }
    }

    #[test]
    fn device_ids_carry_the_platform_the_server_accepts() {
        assert_eq!(device("abc").device_id(), "android_rn-v2:abc");
        let apple = PushDevice {
            platform: PushPlatform::Apple,
            ..device("f00d")
        };
        assert_eq!(apple.device_id(), "apple_rn-v2:f00d");
    }

    #[test]
    fn unusable_tokens_are_refused() {
        assert!(device("abc-123_x.y").validate().is_ok());
        for bad in ["", "a:b", "with space", "ümlaut"] {
            assert!(device(bad).validate().is_err(), "{bad:?}");
        }
        assert!(device(&"x".repeat(600)).validate().is_err());
        let background = PushDevice {
            delivery: Delivery::BackgroundConnection,
            ..device("abc")
        };
        assert!(background.validate().is_err());
    }

    #[test]
    fn debug_hides_the_token() {
        let text = format!("{:?}", device("secret-token-value"));
        assert!(!text.contains("secret-token-value"));
    }

    #[test]
    fn placeholders_are_valid_random_and_recognisable() {
        let a = withdrawn_placeholder(PushPlatform::Android);
        let b = withdrawn_placeholder(PushPlatform::Android);
        assert!(a.validate().is_ok());
        assert_ne!(a.token, b.token);
        assert!(a.token.starts_with(WITHDRAWN_TOKEN_PREFIX));
        assert!(a.device_id().starts_with("android_rn-v2:"));
    }

    #[test]
    fn a_new_token_queues_the_old_one_for_deletion_at_its_service_only() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.set_registration(&device("one"), 1))
            .unwrap();
        store
            .write_blocking(|w| w.mark_registration_attached("one", 2))
            .unwrap();
        let current = store.read_blocking(registration).unwrap().unwrap();
        assert_eq!(current.attached_at, 2);
        // The same token again changes nothing.
        store
            .write_blocking(|w| w.set_registration(&device("one"), 3))
            .unwrap();
        assert!(store.read_blocking(teardowns).unwrap().is_empty());
        store
            .write_blocking(|w| w.set_registration(&device("two"), 4))
            .unwrap();
        let current = store.read_blocking(registration).unwrap().unwrap();
        assert_eq!(current.device.token, "two");
        assert_eq!(current.attached_at, 0);
        let owed = store.read_blocking(teardowns).unwrap();
        assert_eq!(owed.len(), 1);
        assert_eq!(owed[0].device.token, "one");
        assert!(owed[0].server_done);
        assert!(!owed[0].push_service_done);
        store
            .write_blocking(|w| w.record_teardown_progress("one", true, false))
            .unwrap();
        assert!(store.read_blocking(teardowns).unwrap().is_empty());
    }

    #[test]
    fn retiring_owes_both_steps_until_both_are_done() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.set_registration(&device("one"), 1))
            .unwrap();
        let retired = store.write_blocking(|w| w.retire_registration(5)).unwrap();
        assert_eq!(retired.unwrap().token, "one");
        assert!(store.read_blocking(registration).unwrap().is_none());
        store
            .write_blocking(|w| w.record_teardown_progress("one", true, false))
            .unwrap();
        let owed = store.read_blocking(teardowns).unwrap();
        assert_eq!(owed.len(), 1);
        assert!(owed[0].push_service_done && !owed[0].server_done);
        store
            .write_blocking(|w| w.record_teardown_progress("one", false, true))
            .unwrap();
        assert!(store.read_blocking(teardowns).unwrap().is_empty());
        // Nothing registered: nothing to retire.
        assert!(store
            .write_blocking(|w| w.retire_registration(6))
            .unwrap()
            .is_none());
    }

    #[test]
    fn registering_a_retired_token_again_cancels_its_teardown() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.set_registration(&device("one"), 1))
            .unwrap();
        store.write_blocking(|w| w.retire_registration(2)).unwrap();
        store
            .write_blocking(|w| w.set_registration(&device("one"), 3))
            .unwrap();
        assert!(store.read_blocking(teardowns).unwrap().is_empty());
        assert!(store.read_blocking(registration).unwrap().is_some());
    }
}
