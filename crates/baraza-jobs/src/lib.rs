//! Background work that must survive restarts and never do anything twice.

pub mod escalation;
pub mod follow_up;
pub mod information;
pub mod media;
pub mod outbox;
pub mod plans;
pub mod runner;
pub mod ward_alerts;

/// Each jurisdiction's deadlines (its policy on its calendar), for the jobs that act on
/// cases of several jurisdictions; a policy that does not resolve falls back to defaults.
pub(crate) async fn deadlines_by_jurisdiction(
    store: &dyn baraza_store::Store,
) -> baraza_store::StoreResult<
    std::collections::HashMap<baraza_core::JurisdictionId, baraza_core::Deadlines>,
> {
    Ok(store
        .jurisdictions()
        .await?
        .into_iter()
        .map(|j| {
            let d = j.policy.resolve(&j.timezone).unwrap_or_default();
            (j.id, d)
        })
        .collect())
}
