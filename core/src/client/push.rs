//! The consent and registration methods the app calls on [`Client`].

use std::sync::Arc;

use super::{Account, Client};
use crate::api;
use crate::error::{Error, Result};
use crate::locks::RwLockExt;
use crate::push::consent::{
    consent_log, current_consent, ConsentRecord, ConsentState, Decision, Delivery,
};
use crate::push::gateway::{self, ApnsToken, GatewayTarget, UnifiedPushEndpoint};
use crate::push::registration::{
    gateway_registration, registration, teardowns, unregister, withdrawn_placeholder, PushDevice,
    PushPlatform, PushRegistrar, Unregistration,
};
use crate::push::{PushStatus, RegisteredDevice};
use crate::realtime::now_ms;

impl Client {
    /// Sets how registrations are deleted at their push service (the
    /// gateway or the platform). Without one, deletions stay owed.
    pub fn set_push_registrar(&self, registrar: Arc<dyn PushRegistrar>) {
        *self.inner.push.registrar.write_now() = Some(registrar);
    }

    /// The signed-in account's consent state.
    pub async fn push_consent(&self) -> Result<ConsentState> {
        Ok(self.store()?.read(current_consent).await?)
    }

    /// Every consent decision of the account, oldest first.
    pub async fn push_consent_log(&self) -> Result<Vec<ConsentRecord>> {
        Ok(self.store()?.read(consent_log).await?)
    }

    /// Consent state, registration and owed deletions.
    pub async fn push_status(&self) -> Result<PushStatus> {
        let store = self.store()?;
        let (consent, registered, teardowns_pending) = store
            .read(|conn| {
                Ok((
                    current_consent(conn)?,
                    registration(conn)?,
                    teardowns(conn)?.len(),
                ))
            })
            .await?;
        Ok(PushStatus {
            consent,
            registered: registered.map(|r| RegisteredDevice {
                delivery: r.device.delivery,
                platform: r.device.platform,
                attached: r.attached_at > 0,
            }),
            teardowns_pending,
        })
    }

    /// The user agreed on the consent screen. Nothing is registered yet:
    /// the app registers with the push service it was granted and hands
    /// the result to [`Client::register_push_device`]. Choosing another
    /// delivery retires the registration of the old one.
    pub async fn grant_push_consent(
        &self,
        delivery: Delivery,
        consent_text_version: &str,
    ) -> Result<PushStatus> {
        let version = consent_text_version.trim().to_owned();
        if version.is_empty() || version.len() > 64 {
            return Err(Error::InvalidInput {
                reason: "the consent text version must be 1 to 64 bytes".into(),
            });
        }
        let decision = Decision::Granted {
            delivery,
            consent_text_version: version,
        };
        self.decide(decision, move |current| {
            current.is_some_and(|d| d.delivery != delivery)
        })
        .await
    }

    /// The user said no on the consent screen.
    pub async fn decline_push_consent(&self) -> Result<PushStatus> {
        self.decide(Decision::Declined, |current| current.is_some())
            .await
    }

    /// The user withdraws consent. Takes effect at once: from now on no
    /// push is shown and no background notification is made; the
    /// registration is deleted at its push service and taken off the
    /// server session right away, or as soon as possible when offline
    /// (`teardowns_pending` says what is still owed).
    pub async fn withdraw_push_consent(&self) -> Result<PushStatus> {
        self.decide(Decision::Withdrawn, |current| current.is_some())
            .await
    }

    /// Appends the decision and, in the same transaction, retires the
    /// registration when `retire` says so; then runs the owed steps.
    async fn decide(
        &self,
        decision: Decision,
        retire: impl FnOnce(Option<&PushDevice>) -> bool + Send + 'static,
    ) -> Result<PushStatus> {
        let account = self.account()?;
        {
            let _serial = self.inner.push.lock.lock().await;
            let at = now_ms();
            account
                .store
                .write(move |w| {
                    w.record_consent(&decision, at)?;
                    let current = registration(w.conn())?.map(|r| r.device);
                    if retire(current.as_ref()) {
                        w.retire_registration(at)?;
                    }
                    Ok(())
                })
                .await?;
            self.inner.push.note_consent_change();
        }
        if let Err(error) = self.run_push_steps(&account).await {
            tracing::info!(error = %error, "push: owed steps not done yet; retried later");
        }
        self.push_status().await
    }

    /// Registers the device the app got from its push service (a new or
    /// changed token): stored, then attached to the server session. Needs
    /// granted consent for the same delivery. Offline, it is attached by
    /// the next [`Client::sync_push_registration`].
    pub async fn register_push_device(&self, device: PushDevice) -> Result<PushStatus> {
        device.validate()?;
        let account = self.account()?;
        {
            let _serial = self.inner.push.lock.lock().await;
            let consent = account.store.read(current_consent).await?;
            if consent.granted_delivery() != Some(device.delivery) {
                return Err(Error::InvalidInput {
                    reason: "push consent for this delivery has not been granted".into(),
                });
            }
            let at = now_ms();
            account
                .store
                .write(move |w| w.set_registration(&device, at))
                .await?;
        }
        self.run_push_steps(&account).await?;
        if let Err(error) = self.learn_unknown_server_ids().await {
            tracing::info!(error = %error, "push: server id not learned at registration");
        }
        self.push_status().await
    }

    /// Registers the endpoint a UnifiedPush distributor gave the app at the
    /// school's push gateway, then the gateway's token as this device
    /// (see [`Client::register_push_device`]). Needs granted consent for
    /// UnifiedPush: nothing reaches the gateway before. A new endpoint
    /// replaces the old registration, which is deleted at the gateway.
    pub async fn register_unified_push(&self, endpoint: UnifiedPushEndpoint) -> Result<PushStatus> {
        endpoint.validate()?;
        self.register_at_gateway(
            GatewayTarget::UnifiedPush(&endpoint),
            Delivery::UnifiedPush,
            PushPlatform::Android,
        )
        .await
    }

    /// Registers the APNs device token iOS gave the app (hex) at the
    /// school's push gateway, then the gateway's token as this device: the
    /// server's pushes go to the gateway, which sends only ids on to APNs.
    /// Needs granted consent for platform push; a new token replaces the
    /// old registration, as for UnifiedPush.
    pub async fn register_apns_token(&self, device_token: &str) -> Result<PushStatus> {
        let token = ApnsToken::parse(device_token)?;
        self.register_at_gateway(
            GatewayTarget::Apns(&token),
            Delivery::PlatformPush,
            PushPlatform::Apple,
        )
        .await
    }

    async fn register_at_gateway(
        &self,
        target: GatewayTarget<'_>,
        delivery: Delivery,
        platform: PushPlatform,
    ) -> Result<PushStatus> {
        let account = self.account()?;
        let consent = account.store.read(current_consent).await?;
        if consent.granted_delivery() != Some(delivery) {
            return Err(Error::InvalidInput {
                reason: "push consent for this delivery has not been granted".into(),
            });
        }
        let gateway = self.push_gateway(&account);
        // Push services hand out the same endpoint or token again (after a
        // restart, say): that registration stands, only the owed steps run.
        let (digest, at_gateway) = (target.digest(), gateway.to_string());
        let unchanged = account
            .store
            .read(move |conn| {
                let Some(current) = registration(conn)? else {
                    return Ok(false);
                };
                Ok(current.device.delivery == delivery
                    && gateway_registration(conn, &current.device.token)?
                        .is_some_and(|g| g.endpoint_digest == digest && g.gateway == at_gateway))
            })
            .await?;
        if unchanged {
            self.run_push_steps(&account).await?;
            return self.push_status().await;
        }
        let registration = gateway::register(&self.inner.http, &gateway, &target).await?;
        let device = PushDevice {
            delivery,
            platform,
            token: registration.token.clone(),
        };
        let adopted = self
            .adopt_gateway_registration(&account, &registration, device.clone())
            .await;
        if adopted.is_err() {
            // Consent withdrawn meanwhile, a token the server would refuse,
            // or storage failed: the new registration must not stay behind
            // at the gateway.
            let what = Unregistration {
                device,
                gateway: Some(registration),
            };
            if unregister(&self.inner.http, None, &what).await.is_ok() {
                let token = what.device.token;
                let _ = account
                    .store
                    .write(move |w| w.delete_gateway_row(&token))
                    .await;
            }
        }
        adopted
    }

    /// Keeps the gateway's secret, then registers its token as this device.
    async fn adopt_gateway_registration(
        &self,
        account: &Account,
        registration: &gateway::GatewayRegistration,
        device: PushDevice,
    ) -> Result<PushStatus> {
        device.validate()?;
        let (registration, at) = (registration.clone(), now_ms());
        account
            .store
            .write(move |w| w.save_gateway_registration(&registration, at))
            .await?;
        self.register_push_device(device).await
    }

    /// The gateway's VAPID public key, which a distributor may ask for
    /// when the app registers with it.
    pub async fn push_gateway_vapid_key(&self) -> Result<String> {
        let account = self.account()?;
        gateway::vapid_key(&self.inner.http, &self.push_gateway(&account)).await
    }

    fn push_gateway(&self, account: &Account) -> url::Url {
        self.inner
            .push_gateway
            .clone()
            .unwrap_or_else(|| gateway::gateway_for(&account.server))
    }

    /// Brings the server and the push services in line with the stored
    /// state: attaches the registration to the current session (after a
    /// new sign-in the session is new) and retries owed deletions. Call it
    /// when the app starts and when the network returns.
    pub async fn sync_push_registration(&self) -> Result<PushStatus> {
        let account = self.account()?;
        self.run_push_steps(&account).await?;
        self.push_status().await
    }

    /// Called after sign-in: the new session gets the device id again.
    pub(crate) async fn push_after_sign_in(&self) {
        if let Ok(account) = self.account() {
            if let Err(error) = self.run_push_steps(&account).await {
                tracing::info!(error = %error, "push: registration not attached after sign-in");
            }
        }
    }

    /// The owed steps, in order: delete retired registrations at their push
    /// service, attach the current registration (or, with none, a dead
    /// placeholder while the session may still carry a retired one).
    /// Fails when the server could not be told.
    pub(crate) async fn run_push_steps(&self, account: &Account) -> Result<()> {
        let _serial = self.inner.push.lock.lock().await;
        let store = account.store.clone();
        let (consent, current, owed) = store
            .read(|conn| {
                Ok((
                    current_consent(conn)?,
                    registration(conn)?,
                    teardowns(conn)?,
                ))
            })
            .await?;
        // A push service that cannot be reached keeps its deletion owed
        // (counted in `teardowns_pending`); it does not stop the attach.
        let registrar = self.push_registrar();
        for teardown in owed.iter().filter(|t| !t.push_service_done) {
            let what = Unregistration {
                device: teardown.device.clone(),
                gateway: teardown.gateway.clone(),
            };
            match unregister(&self.inner.http, registrar.clone(), &what).await {
                Ok(()) => {
                    let token = teardown.device.token.clone();
                    store
                        .write(move |w| {
                            w.delete_gateway_row(&token)?;
                            w.record_teardown_progress(&token, true, false)
                        })
                        .await?;
                }
                Err(e) => {
                    tracing::info!(error = %e, "push: registration not deleted at its service");
                }
            }
        }
        let wanted = current.filter(|r| consent.granted_delivery() == Some(r.device.delivery));
        let server_owed: Vec<&PushDevice> = owed
            .iter()
            .filter(|t| !t.server_done)
            .map(|t| &t.device)
            .collect();
        let attach = match (&wanted, server_owed.first()) {
            (Some(registration), _) => Some((registration.device.clone(), true)),
            (None, Some(retired)) => Some((withdrawn_placeholder(retired.platform), false)),
            (None, None) => None,
        };
        if let Some((device, is_registration)) = attach {
            api::push::attach_device(&account.api, &device.device_id()).await?;
            let at = now_ms();
            let retired: Vec<String> = server_owed.iter().map(|d| d.token.clone()).collect();
            let token = device.token.clone();
            store
                .write(move |w| {
                    if is_registration {
                        w.mark_registration_attached(&token, at)?;
                    }
                    // The session's device id was replaced: no retired
                    // token is on it any more.
                    for retired in &retired {
                        w.record_teardown_progress(retired, false, true)?;
                    }
                    Ok(())
                })
                .await?;
        }
        Ok(())
    }
}
