//! The follow-up job on a real SQLite store with a clock the test moves.

use baraza_core::lifecycle::Action;
use baraza_core::outbound::Template;
use baraza_core::*;
use baraza_jobs::follow_up::{FollowUp, Round};
use baraza_store::Store;
use baraza_store::conformance::fixtures;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_citizen_is_reminded_once_then_the_case_closes_unconfirmed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    let store: Arc<dyn Store> =
        Arc::new(baraza_store_sqlite::SqliteStore::open(&url).await.unwrap());
    fixtures::seed(&*store).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let phone = "+254755000001";
    let case = store
        .create_case(
            fixtures::new_case("0741", Channel::Sms, Some(phone)),
            fixtures::citizen(),
            clock.now(),
        )
        .await
        .unwrap()
        .case;
    let triage = Action::Triage {
        category: "water-supply".into(),
        priority: Priority::Normal,
        urgency: None,
        ward: None,
        ladder: vec![],
        department: Some("water".into()),
    };
    store
        .act(
            case.number,
            None,
            fixtures::desk(),
            triage,
            Deadlines::default(),
            clock.now(),
        )
        .await
        .unwrap();
    store
        .act(
            case.number,
            None,
            fixtures::desk(),
            Action::Respond {
                text: "Done.".into(),
            },
            Deadlines::default(),
            clock.now(),
        )
        .await
        .unwrap();

    let job = FollowUp::new(
        store.clone(),
        clock.clone(),
        chrono::Duration::hours(72),
        chrono::Duration::hours(168),
    );
    assert_eq!(job.run_once().await.unwrap(), Round::default());
    clock.advance(chrono::Duration::hours(73));
    assert_eq!(
        job.run_once().await.unwrap(),
        Round {
            reminded: 1,
            closed_unconfirmed: 0
        }
    );
    // Never a second reminder.
    clock.advance(chrono::Duration::hours(100));
    assert_eq!(job.run_once().await.unwrap(), Round::default());
    let latest = store.outbox_to(phone, 1).await.unwrap().remove(0);
    assert_eq!(
        latest.message.template,
        Template::Reminder {
            reference: case.number.display_with("EM")
        }
    );
    clock.advance(chrono::Duration::hours(69));
    assert_eq!(
        job.run_once().await.unwrap(),
        Round {
            reminded: 0,
            closed_unconfirmed: 1
        }
    );
    let closed = store.case_by_number(case.number).await.unwrap().unwrap();
    assert_eq!(closed.status, Status::ClosedUnconfirmed);
    let latest = store.outbox_to(phone, 1).await.unwrap().remove(0);
    assert_eq!(
        latest.message.template,
        Template::ClosedUnconfirmed {
            reference: case.number.display_with("EM")
        }
    );
    assert_eq!(job.run_once().await.unwrap(), Round::default());
    assert!(baraza_store::verify_journal(&*store).await.unwrap().is_ok());
}
