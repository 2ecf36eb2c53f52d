//! The follow-up job on a real SQLite store with a clock the test moves.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

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
    assert!(
        baraza_store::verify_journal(&*store, None)
            .await
            .unwrap()
            .is_ok()
    );
}

/// A fake Africa's Talking on a real socket that behaves badly in one of three ways;
/// counts the requests it saw.
#[derive(Clone, Copy)]
enum Provider {
    /// Takes the message, answers after the client has given up waiting.
    Slow,
    /// Takes the message and drops the connection without answering.
    Drops,
    /// Answers 503: it did not take the message.
    Down,
}

async fn fake(behaviour: Provider) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = sock.read(&mut buf).await;
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                match behaviour {
                    Provider::Slow => {
                        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                        let body = r#"{"SMSMessageData":{"Message":"Sent to 1/1","Recipients":[{"statusCode":101,"number":"+254755000002","status":"Success","cost":"KES 0.8000","messageId":"ATXid_slow"}]}}"#;
                        let _ = sock
                            .write_all(format!("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
                            .await;
                    }
                    Provider::Drops => drop(sock),
                    Provider::Down => {
                        let _ = sock
                            .write_all(
                                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
                            )
                            .await;
                    }
                }
            });
        }
    });
    (base, seen)
}

async fn one_acknowledgement(behaviour: Provider) -> (baraza_core::outbound::OutboxStatus, usize) {
    use baraza_channels::africastalking::{Config, SmsGateway};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    let store: Arc<dyn Store> =
        Arc::new(baraza_store_sqlite::SqliteStore::open(&url).await.unwrap());
    fixtures::seed(&*store).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let phone = "+254755000002";
    store
        .create_case(
            fixtures::new_case("0741", Channel::Sms, Some(phone)),
            fixtures::citizen(),
            clock.now(),
        )
        .await
        .unwrap();
    let (base, seen) = fake(behaviour).await;
    let config = Config {
        username: "baraza".into(),
        api_key: baraza_channels::Secret::new("k"),
        webhook_secret: baraza_channels::Secret::new("s"),
        sender_id: None,
        ussd_code: None,
        base_url: base,
        jurisdiction: fixtures::jurisdiction_id().as_str().to_owned(),
        allowed_ips: vec![],
    };
    let worker = baraza_jobs::outbox::OutboxWorker::new(
        store.clone(),
        clock.clone(),
        Arc::new(baraza_channels::templates::Templates::load().unwrap()),
    )
    .with_gateway(Arc::new(SmsGateway::with_timeout(
        config,
        std::time::Duration::from_millis(300),
    )));
    // Three rounds, an hour apart: whatever is due is attempted again.
    for _ in 0..3 {
        worker.run_once().await.unwrap();
        clock.advance(chrono::Duration::hours(1));
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let sent = store.outbox_to(phone, 10).await.unwrap();
    assert_eq!(sent.len(), 1);
    (
        sent[0].status,
        seen.load(std::sync::atomic::Ordering::SeqCst),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_outcome_is_unknown_is_never_sent_twice() {
    use baraza_core::outbound::OutboxStatus;
    // A provider slower than our patience may have sent it: once, and marked uncertain.
    assert_eq!(
        one_acknowledgement(Provider::Slow).await,
        (OutboxStatus::Uncertain, 1)
    );
    // A connection dropped after the request went out: the same.
    assert_eq!(
        one_acknowledgement(Provider::Drops).await,
        (OutboxStatus::Uncertain, 1)
    );
    // A provider that says it is down did not take it: tried again, round after round.
    let (status, seen) = one_acknowledgement(Provider::Down).await;
    assert_eq!(status, OutboxStatus::Pending);
    assert_eq!(seen, 3);
}
