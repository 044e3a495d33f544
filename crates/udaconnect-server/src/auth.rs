//! Start-up of authentication: which signing key (configured, or generated once in
//! embedded mode), the first admin, and the `admin create` and `auth-key` commands.

use std::{io::BufRead, path::Path, sync::Arc};

use anyhow::{Context, bail};
use udaconnect_auth::{AuthService, LoginThrottle, SigningKey, ThrottlePolicy, Tokens};
use udaconnect_config::{
    AdminCreateArgs, AuthArgs, AuthKeyArgs, BusUrl, ServeArgs, StoreUrl, Targets,
};
use udaconnect_store::DynStore;

use crate::infra;

/// The key file of embedded mode, under the data directory.
pub(crate) const EMBEDDED_KEY_FILE: &str = "auth.key";

/// Embedded mode: every target in one process over the embedded store and log. Anything
/// else is distributed: processes (or replicas) must share one configured key.
pub(crate) fn is_embedded(args: &ServeArgs, targets: &Targets) -> bool {
    targets.is_all()
        && matches!(args.store, StoreUrl::Sqlite(_))
        && matches!(args.bus, BusUrl::Embedded(_))
}

/// The signing key: `--auth-key-file`, else `UDACONNECT_AUTH_KEY`, else (embedded mode
/// only) `<data-dir>/auth.key`, generated on the first start. Distributed mode without a
/// key, or with a weak one, fails here with the reason and the remedy.
pub(crate) fn signing_key(
    auth: &AuthArgs,
    data_dir: &Path,
    embedded: bool,
) -> anyhow::Result<SigningKey> {
    if let Some(path) = &auth.auth_key_file {
        return Ok(SigningKey::read(path)?);
    }
    if let Some(text) = &auth.auth_key {
        return Ok(SigningKey::from_text(text, "UDACONNECT_AUTH_KEY")?);
    }
    if !embedded {
        bail!(
            "distributed mode needs an access-token signing key shared by every process: \
             generate one with `udaconnect auth-key --out auth.key` and pass \
             --auth-key-file auth.key (or UDACONNECT_AUTH_KEY_FILE / UDACONNECT_AUTH_KEY)"
        );
    }
    let path = data_dir.join(EMBEDDED_KEY_FILE);
    let (key, created) = SigningKey::load_or_create(&path)?;
    if created {
        tracing::info!(path = %path.display(), "generated the access-token signing key");
    }
    Ok(key)
}

pub(crate) fn service(store: DynStore, key: &SigningKey) -> AuthService {
    AuthService::new(
        store,
        Tokens::new(key),
        LoginThrottle::new(ThrottlePolicy::default()),
    )
}

/// `udaconnect admin create`: creates an organiser account; prints the password when it
/// was generated.
pub async fn run_admin_create(args: &AdminCreateArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("creating data directory {}", args.data_dir.display()))?;
    let store = infra::open_store(&args.store, &args.data_dir).await?;
    let password = match args.password_stdin {
        true => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let line = line.trim_end_matches(['\n', '\r']).to_owned();
            Some(line)
        }
        false => None,
    };
    // The key is not needed to create an account; any key will do for the service.
    let service = service(Arc::clone(&store) as DynStore, &SigningKey::generate());
    let generated = service
        .create_admin(&args.username, password)
        .await
        .with_context(|| format!("creating admin account {:?}", args.username))?;
    match generated {
        Some(p) => println!(
            "created admin account {:?} with password: {p}\n(shown once: store it safely)",
            args.username
        ),
        None => println!("created admin account {:?}", args.username),
    }
    Ok(())
}

/// `udaconnect auth-key`: a new signing key, into a new 0600 file or on standard output.
pub fn run_auth_key(args: &AuthKeyArgs) -> anyhow::Result<()> {
    let key = SigningKey::generate();
    match &args.out {
        Some(path) => {
            key.write_new(path)?;
            eprintln!("wrote a new signing key to {} (mode 0600)", path.display());
        }
        None => print!("{}", key.to_text()),
    }
    Ok(())
}
