//! The application state (`AppState`: store, configuration, clock, log signer) and the clock.
use std::sync::Arc;
use sunledger_store::Store;

/// The source of the current time. Handlers read time only through this, so tests can set it.
pub trait Clock: Send + Sync + 'static {
    /// Unix seconds, UTC.
    fn now(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The one clock of the web layer.
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Absolute session lifetime (`serve --session-max`).
    pub session_ttl_secs: i64,
    /// A session unused this long ends (`serve --session-idle`).
    pub session_idle_secs: i64,
    /// Sign-in limits (see [`sunledger_store::SignInPolicy`] for their sources).
    pub sign_in: sunledger_store::SignInPolicy,
    /// Roles whose holders must use a second factor (TOTP); empty when the city has not turned
    /// it on (`serve --require-totp`).
    pub totp_required_roles: Vec<sunledger_core::Role>,
    /// A directory whose files are served as they are under `/files/` (published notices,
    /// downloads); none when unset.
    pub files_dir: Option<std::path::PathBuf>,
    /// Addresses of reverse proxies whose `X-Forwarded-Proto`, `X-Forwarded-Host` and
    /// `X-Forwarded-For` are believed (`serve --trusted-proxy`); see [`guard`].
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The working-day calendar deadlines are counted with (`serve --holidays FILE`; China's
    /// public holidays compiled in by default).
    pub calendar: Arc<sunledger_core::day::Calendar>,
    /// The rules of complaints: deadlines in working days, file limits, rate limits.
    pub complaint: sunledger_core::complaint::Rules,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_ttl_secs: 12 * 3600,
            session_idle_secs: 30 * 60,
            sign_in: sunledger_store::SignInPolicy::default(),
            totp_required_roles: Vec::new(),
            files_dir: None,
            trusted_proxies: Vec::new(),
            calendar: Arc::new(sunledger_core::day::Calendar::china()),
            complaint: sunledger_core::complaint::Rules::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Signs checkpoints of the tamper-evident log; `None` serves proofs of existing checkpoints
    /// only.
    pub signer: Option<Arc<sunledger_core::log::checkpoint::NoteSigner>>,
    /// Every verifier key the log has used, published with proofs.
    pub verifier_keys: Arc<Vec<String>>,
    /// Rate limits of the public's submissions and lookups (complaints).
    pub limiter: Arc<crate::app::limit::Limiter>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
            signer: None,
            verifier_keys: Arc::new(Vec::new()),
            limiter: Arc::new(crate::app::limit::Limiter::default()),
        }
    }

    pub fn with_signer(
        mut self,
        signer: sunledger_core::log::checkpoint::NoteSigner,
        mut verifier_keys: Vec<String>,
    ) -> AppState {
        if !verifier_keys.contains(&signer.verifier_key()) {
            verifier_keys.push(signer.verifier_key());
        }
        self.signer = Some(Arc::new(signer));
        self.verifier_keys = Arc::new(verifier_keys);
        self
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Signs a checkpoint now if the log grew since the last one; without a signer, the latest.
    pub async fn checkpoint(
        &self,
    ) -> Result<Option<sunledger_store::StoredCheckpoint>, sunledger_store::StoreError> {
        match &self.signer {
            Some(s) => Ok(Some(
                sunledger_store::log::sign_checkpoint(self.store.as_ref(), s, self.now()).await?,
            )),
            None => self.store.latest_checkpoint().await,
        }
    }
}
