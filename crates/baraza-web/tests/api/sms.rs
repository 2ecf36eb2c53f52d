//! The SMS loop with Africa's Talking, end to end: the provider's exact callback forms on
//! the real webhook endpoints, the outbox worker sending through a local fake of the
//! provider's HTTP API (the only thing faked: it lies outside this machine).
#![expect(
    clippy::disallowed_types,
    reason = "the fake provider is a plain axum server reading plain forms"
)]

use super::*;
use axum::extract::State as AxState;
use axum::routing::post;
use axum::{Form, Json, Router};
use baraza_channels::Secret;
use baraza_channels::africastalking::{Config, SmsGateway};
use baraza_channels::templates::Templates;
use baraza_channels::twilio::TwilioGateway;
use baraza_core::outbound::OutboundChannel;
use baraza_jobs::outbox::OutboxWorker;
use std::collections::HashMap;
use std::sync::Mutex;

const SECRET: &str = "at-callback-secret-0123456789";

/// What the fake received, and whether it is "down".
#[derive(Default)]
struct FakeAt {
    sent: Mutex<Vec<HashMap<String, String>>>,
    /// What the fake Twilio API received.
    tw_sent: Mutex<Vec<HashMap<String, String>>>,
    /// What the fake Graph API (WhatsApp) received.
    wa_sent: Mutex<Vec<Value>>,
    down: std::sync::atomic::AtomicBool,
}

async fn messaging(
    AxState(fake): AxState<Arc<FakeAt>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    if fake.down.load(std::sync::atomic::Ordering::SeqCst) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "maintenance"})),
        );
    }
    assert_eq!(headers["apiKey"], "at-api-key");
    assert_eq!(form["username"], "baraza");
    let mut sent = fake.sent.lock().unwrap();
    let id = format!("ATXid_out_{}", sent.len() + 1);
    let number = form["to"].clone();
    sent.push(form);
    // Africa's Talking's answer, as documented.
    let body = json!({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000",
        "Recipients": [{"statusCode": 101, "number": number, "status": "Success", "cost": "KES 0.8000", "messageId": id}]}});
    (StatusCode::CREATED, Json(body))
}

async fn fake_provider() -> (Arc<FakeAt>, String) {
    let fake = Arc::new(FakeAt::default());
    let app = Router::new()
        .route("/version1/messaging", post(messaging))
        .route("/v21.0/{phone}/messages", post(graph_messages))
        .route("/v21.0/MEDIA123", axum::routing::get(graph_media))
        .route(
            "/media-bytes/MEDIA123",
            axum::routing::get(|| async { "JPEG-BYTES" }),
        )
        .route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(twilio_messages),
        )
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, base)
}

/// Meta's Graph API `POST /{phone_number_id}/messages`, as documented.
async fn graph_messages(
    AxState(fake): AxState<Arc<FakeAt>>,
    axum::extract::Path(phone): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    assert_eq!(phone, "1029384756");
    assert_eq!(headers["authorization"], "Bearer wa-access-token");
    let mut sent = fake.wa_sent.lock().unwrap();
    let id = format!("wamid.out.{}", sent.len() + 1);
    let to = body["to"].clone();
    sent.push(body);
    (
        StatusCode::OK,
        Json(
            json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": id}]}),
        ),
    )
}

/// Graph's media lookup: where to download the file (with the same token).
async fn graph_media(headers: axum::http::HeaderMap) -> Json<Value> {
    assert_eq!(headers["authorization"], "Bearer wa-access-token");
    let host = headers["host"].to_str().unwrap().to_owned();
    Json(
        json!({"url": format!("http://{host}/media-bytes/MEDIA123"), "mime_type": "image/jpeg",
        "sha256": "unused", "file_size": 10, "id": "MEDIA123", "messaging_product": "whatsapp"}),
    )
}

/// Twilio's `POST /2010-04-01/Accounts/{sid}/Messages.json`, as documented.
async fn twilio_messages(
    AxState(fake): AxState<Arc<FakeAt>>,
    axum::extract::Path(sid): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    use base64::Engine;
    assert_eq!(sid, "ACtest");
    let basic = base64::engine::general_purpose::STANDARD.encode("ACtest:tw-auth-token");
    assert_eq!(headers["authorization"], format!("Basic {basic}").as_str());
    let mut sent = fake.tw_sent.lock().unwrap();
    let id = format!("SMfake{}", sent.len() + 1);
    let to = form["To"].clone();
    sent.push(form);
    (
        StatusCode::CREATED,
        Json(json!({"sid": id, "status": "queued", "to": to, "price": null, "price_unit": "USD"})),
    )
}

pub(super) const WA_APP_SECRET: &str = "wa-app-secret";

fn wa_config(base: &str) -> baraza_channels::whatsapp::Config {
    baraza_channels::whatsapp::Config {
        verify_token: Secret::new("wa-verify-token"),
        app_secret: Secret::new(WA_APP_SECRET),
        access_token: Secret::new("wa-access-token"),
        phone_number_id: "1029384756".into(),
        base_url: format!("{base}/v21.0"),
        template_name: "baraza_update".into(),
        jurisdiction: "elgeyo-marakwet".into(),
    }
}

fn tw_config(base: &str) -> baraza_channels::twilio::Config {
    baraza_channels::twilio::Config {
        account_sid: "ACtest".into(),
        auth_token: Secret::new("tw-auth-token"),
        sms_from: Some("+15005550006".into()),
        whatsapp_from: Some("whatsapp:+14155238886".into()),
        base_url: base.into(),
        // Twilio signs the public URL; here the test server is its own public URL.
        public_url: String::new(),
        jurisdiction: "elgeyo-marakwet".into(),
    }
}

fn config(base: &str) -> Config {
    Config {
        username: "baraza".into(),
        api_key: Secret::new("at-api-key"),
        webhook_secret: Secret::new(SECRET),
        sender_id: None,
        ussd_code: None,
        base_url: base.into(),
        jurisdiction: "elgeyo-marakwet".into(),
        allowed_ips: vec![],
    }
}

struct Loop {
    app: TestApp,
    fake: Arc<FakeAt>,
    fake_base: String,
    worker: OutboxWorker,
    clock: Arc<ManualClock>,
}

impl Loop {
    async fn start(pg: bool) -> Option<Self> {
        let (fake, base) = fake_provider().await;
        let channels = baraza_web::webhooks::Channels {
            africastalking: Some(config(&base)),
            whatsapp: Some(wa_config(&base)),
            twilio: Some(tw_config(&base)),
        };
        let app = if pg {
            TestApp::postgres_with(channels).await?
        } else {
            TestApp::sqlite_with(channels).await
        };
        let clock = Arc::new(ManualClock::new(
            chrono::Utc::now() + chrono::Duration::seconds(1),
        ));
        let worker = OutboxWorker::new(
            app.store.clone(),
            clock.clone(),
            Arc::new(Templates::load().unwrap()),
        )
        .with_gateway(Arc::new(SmsGateway::new(config(&base))))
        .with_gateway(Arc::new(baraza_channels::whatsapp::WhatsappGateway::new(
            wa_config(&base),
        )));
        Some(Loop {
            app,
            fake_base: base.clone(),
            fake,
            worker,
            clock,
        })
    }

    async fn sms(&self, id: &str, from: &str, text: &str) -> StatusCode {
        let form = [
            ("date", "2026-11-26 09:00:00"),
            ("from", from),
            ("id", id),
            ("text", text),
            ("to", "40404"),
            ("networkCode", "63902"),
        ];
        let url = format!("{}/webhooks/africastalking/{SECRET}/sms", self.app.base);
        self.app
            .http
            .post(url)
            .form(&form)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Run the worker; the texts it sent to the phone since last time.
    async fn deliver(&self) -> Vec<String> {
        let before = self.fake.sent.lock().unwrap().len();
        self.worker.run_once().await.unwrap();
        self.fake.sent.lock().unwrap()[before..]
            .iter()
            .map(|f| f["message"].clone())
            .collect()
    }
}

async fn sms_loop(pg: bool) {
    let Some(l) = Loop::start(pg).await else {
        return;
    };
    let phone = "+254722000111";

    // A forged callback (wrong secret) is refused and changes nothing.
    let forged = l
        .app
        .http
        .post(format!("{}/webhooks/africastalking/wrong/sms", l.app.base))
        .form(&[("from", phone), ("id", "ATXid_x"), ("text", "hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let bad = l
        .app
        .http
        .post(format!(
            "{}/webhooks/africastalking/{SECRET}/sms",
            l.app.base
        ))
        .form(&[("from", phone), ("text", "no id")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(l.deliver().await.is_empty());

    // A new concern gets its reference back by SMS.
    assert_eq!(
        l.sms("ATXid_1", phone, "No water at Kapsowar market since Monday")
            .await,
        StatusCode::OK
    );
    let texts = l.deliver().await;
    assert_eq!(texts.len(), 1);
    let reference = texts[0]
        .split("Ref ")
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    assert!(reference.starts_with("EM-"), "{}", texts[0]);
    assert_eq!(l.fake.sent.lock().unwrap()[0]["to"], phone);
    // Africa's Talking retries the callback: no second case, no second reply.
    assert_eq!(
        l.sms("ATXid_1", phone, "No water at Kapsowar market since Monday")
            .await,
        StatusCode::OK
    );
    assert!(l.deliver().await.is_empty());
    let (_, list) = l.app.get(DESK, "/api/v1/cases").await;
    assert_eq!(list["cases"].as_array().unwrap().len(), 1);

    // A delivery report for our message counts; one for an id we never issued does not.
    let report = |id: &'static str| {
        let url = format!("{}/webhooks/africastalking/{SECRET}/delivery", l.app.base);
        l.app
            .http
            .post(url)
            .form(&[
                ("id", id),
                ("status", "Success"),
                ("phoneNumber", phone),
                ("networkCode", "63902"),
            ])
            .send()
    };
    assert_eq!(
        report("ATXid_out_1").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        report("ATXid_forged").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        l.app.store.outbox_to(phone, 1).await.unwrap()[0].status,
        baraza_core::outbound::OutboxStatus::Delivered
    );

    // STATUS in English, HALI after switching to Kiswahili.
    l.sms("ATXid_2", phone, &format!("STATUS {reference}"))
        .await;
    assert_eq!(l.deliver().await, vec![format!("{reference}: received.")]);
    l.sms("ATXid_3", phone, "KISWAHILI").await;
    assert_eq!(
        l.deliver().await,
        vec!["Tutakuandikia kwa Kiswahili.".to_owned()]
    );
    l.sms(
        "ATXid_4",
        phone,
        &format!("hali {}", reference.replace('-', " ")),
    )
    .await;
    assert_eq!(
        l.deliver().await,
        vec![format!("{reference}: imepokelewa.")]
    );

    // Staff answer through the API; the citizen gets it on SMS and confirms with "1".
    let number = reference.trim_start_matches("EM-").replace('-', "");
    l.app.act(DESK, &number, json!({"action": "triage", "category": "water-supply", "priority": "high", "ward": "0741"})).await;
    let (s, _) = l
        .app
        .act(
            DESK,
            &number,
            json!({"action": "respond", "text": "A water bowser comes on Thursday."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let texts = l.deliver().await;
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].contains("A water bowser comes on Thursday.") && texts[0].contains("Jibu 1"),
        "{}",
        texts[0]
    );

    // The provider is down: the confirmation's reply waits, then goes out when it is back.
    l.fake.down.store(true, std::sync::atomic::Ordering::SeqCst);
    l.sms("ATXid_5", phone, "1").await;
    assert!(l.deliver().await.is_empty());
    let waiting = l.app.store.outbox_to(phone, 1).await.unwrap().remove(0);
    assert_eq!(
        (waiting.status, waiting.attempts),
        (baraza_core::outbound::OutboxStatus::Pending, 1)
    );
    assert!(waiting.last_error.unwrap().contains("500"));
    l.fake
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(l.deliver().await.is_empty(), "not before its backoff");
    l.clock.advance(chrono::Duration::minutes(5));
    let texts = l.deliver().await;
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].contains("Jibu 1 (hata kidogo) hadi 5"),
        "{}",
        texts[0]
    );
    let (_, case) = l.app.get(DESK, &format!("/api/v1/cases/{number}")).await;
    assert_eq!(case["status"], "resolved");

    // The rating closes the loop.
    l.sms("ATXid_6", phone, "5").await;
    assert_eq!(
        l.deliver().await,
        vec![format!("Asante kwa tathmini yako ya {reference}.")]
    );
    let (_, case) = l.app.get(DESK, &format!("/api/v1/cases/{number}")).await;
    assert_eq!(case["satisfaction"], 5);
    assert!(
        case["journal"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "case.resolved" && e["actor_role"] == "citizen")
    );
    assert!(
        baraza_store::verify_journal(&*l.app.store, None)
            .await
            .unwrap()
            .is_ok()
    );
    l.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_concern_is_answered_and_confirmed_over_sms() {
    sms_loop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_sms_concern_is_answered_and_confirmed_over_sms() {
    sms_loop(true).await;
}

async fn ussd(l: &Loop, session: &str, phone: &str, text: &str) -> String {
    let form = [
        ("sessionId", session),
        ("serviceCode", "*384*40404#"),
        ("phoneNumber", phone),
        ("networkCode", "63902"),
        ("text", text),
    ];
    let url = format!("{}/webhooks/africastalking/{SECRET}/ussd", l.app.base);
    let r = l.app.http.post(url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(
        body.starts_with("CON ") || body.starts_with("END "),
        "{body}"
    );
    assert!(
        body.len() - 4 <= baraza_channels::ussd::SCREEN_LIMIT,
        "{} bytes: {body}",
        body.len()
    );
    body
}

async fn ussd_loop(pg: bool) {
    let Some(l) = Loop::start(pg).await else {
        return;
    };
    let phone = "+254733000222";
    // A feature phone dials the short code and raises a concern through the menu.
    let root = ussd(&l, "ATUid_1", phone, "").await;
    assert!(
        root.starts_with("CON Baraza") && root.contains("1. Raise a concern"),
        "{root}"
    );
    assert_eq!(
        ussd(&l, "ATUid_1", phone, "1").await,
        "CON Which department?\n1. Water"
    );
    assert!(
        ussd(&l, "ATUid_1", phone, "1*1")
            .await
            .contains("1. No water supply")
    );
    assert!(
        ussd(&l, "ATUid_1", phone, "1*1*1")
            .await
            .contains("1. Keiyo North")
    );
    assert!(
        ussd(&l, "ATUid_1", phone, "1*1*1*1")
            .await
            .contains("2. Kamariny")
    );
    assert_eq!(
        ussd(&l, "ATUid_1", phone, "1*1*1*1*2").await,
        "CON Describe the problem in a few words:"
    );
    let done = ussd(
        &l,
        "ATUid_1",
        phone,
        "1*1*1*1*2*Tap at Kamariny school broken",
    )
    .await;
    assert!(
        done.starts_with("END Received. Your reference: EM-"),
        "{done}"
    );
    let reference = done
        .split("reference: ")
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    // Africa's Talking resends the last step: still one case.
    assert_eq!(
        ussd(
            &l,
            "ATUid_1",
            phone,
            "1*1*1*1*2*Tap at Kamariny school broken"
        )
        .await,
        done
    );
    let number = reference.trim_start_matches("EM-").replace('-', "");
    let (_, case) = l.app.get(DESK, &format!("/api/v1/cases/{number}")).await;
    assert_eq!(
        (
            case["channel"].as_str(),
            case["ward"].as_str(),
            case["category"].as_str()
        ),
        (Some("ussd"), Some("0742"), Some("water-supply"))
    );
    // The reference also comes by SMS, to keep.
    assert!(l.deliver().await[0].contains(&reference));

    // Checking a case by typing its digits on the keypad.
    assert_eq!(
        ussd(&l, "ATUid_2", phone, &format!("2*{number}")).await,
        format!("END {reference}: received.")
    );
    assert!(
        ussd(&l, "ATUid_3", phone, "2*1234")
            .await
            .starts_with("END 1234 is not a reference number")
    );
    assert_eq!(
        ussd(&l, "ATUid_4", phone, "3").await,
        "END No answer is waiting for your reply."
    );

    // Staff answer; the citizen confirms it on the menu; the rating question comes by SMS.
    l.app
        .act(
            DESK,
            &number,
            json!({"action": "triage", "category": "water-supply", "priority": "normal"}),
        )
        .await;
    let (s, _) = l
        .app
        .act(
            DESK,
            &number,
            json!({"action": "respond", "text": "The tap is replaced."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    l.deliver().await;
    let ask = ussd(&l, "ATUid_5", phone, "3").await;
    assert!(
        ask.starts_with(&format!("CON {reference}: The tap is replaced."))
            && ask.contains("1. Yes"),
        "{ask}"
    );
    assert_eq!(
        ussd(&l, "ATUid_5", phone, "3*1").await,
        "END Thank you. We will SMS you."
    );
    let (_, case) = l.app.get(DESK, &format!("/api/v1/cases/{number}")).await;
    assert_eq!(case["status"], "resolved");
    assert!(l.deliver().await[0].contains("Reply 1 (not at all) to 5"));

    // Language: French from now on, on the menu and by SMS.
    assert_eq!(
        ussd(&l, "ATUid_6", phone, "4*3").await,
        "END Nous vous écrirons en français."
    );
    assert!(
        ussd(&l, "ATUid_7", phone, "")
            .await
            .contains("1. Signaler un problème")
    );
    assert_eq!(
        ussd(&l, "ATUid_8", phone, "9").await,
        "END Choix invalide. Veuillez recomposer."
    );
    // A forged USSD callback is refused.
    let forged = l
        .app
        .http
        .post(format!("{}/webhooks/africastalking/nope/ussd", l.app.base))
        .form(&[("sessionId", "x"), ("phoneNumber", phone), ("text", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    l.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feature_phone_raises_checks_and_confirms_over_ussd() {
    ussd_loop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_feature_phone_raises_checks_and_confirms_over_ussd() {
    ussd_loop(true).await;
}

/// A signed WhatsApp notification, exactly as Meta posts it.
async fn whatsapp(l: &Loop, body: Value, signature: Option<&str>) -> StatusCode {
    use hmac::Mac;
    let raw = serde_json::to_vec(&body).unwrap();
    let sig = match signature {
        Some(s) => s.to_owned(),
        None => {
            let mut mac =
                hmac::Hmac::<sha2::Sha256>::new_from_slice(WA_APP_SECRET.as_bytes()).unwrap();
            mac.update(&raw);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
    };
    let url = format!("{}/webhooks/whatsapp", l.app.base);
    let r = l
        .app
        .http
        .post(url)
        .header("X-Hub-Signature-256", sig)
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap();
    r.status()
}

fn wa_message(id: &str, from: &str, message: Value) -> Value {
    let mut m = message;
    m["from"] = json!(from);
    m["id"] = json!(id);
    m["timestamp"] = json!("1780000000");
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "254700000000", "phone_number_id": "1029384756"},
        "contacts": [{"profile": {"name": "Chebet"}, "wa_id": from}], "messages": [m]}}]}]})
}

impl Loop {
    async fn deliver_whatsapp(&self) -> Vec<Value> {
        let before = self.fake.wa_sent.lock().unwrap().len();
        self.worker.run_once().await.unwrap();
        self.fake.wa_sent.lock().unwrap()[before..].to_vec()
    }
}

async fn whatsapp_loop(pg: bool) {
    let Some(l) = Loop::start(pg).await else {
        return;
    };
    let wa = "254711000333";
    // Meta's handshake.
    let ok = l.app.http.get(format!("{}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wa-verify-token", l.app.base)).send().await.unwrap();
    assert_eq!(
        (ok.status(), ok.text().await.unwrap()),
        (StatusCode::OK, "1158201444".to_owned())
    );
    let bad = l
        .app
        .http
        .get(format!(
            "{}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess",
            l.app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::FORBIDDEN);

    // A forged notification is refused and changes nothing.
    let text = json!({"type": "text", "text": {"body": "Hakuna maji Kapsowar"}});
    assert_eq!(
        whatsapp(
            &l,
            wa_message("wamid.1", wa, text.clone()),
            Some("sha256=00ff")
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert!(l.deliver_whatsapp().await.is_empty());

    // A concern on WhatsApp: the reference comes back on WhatsApp, as free text (the
    // citizen has just written: the 24-hour window is open).
    assert_eq!(
        whatsapp(&l, wa_message("wamid.1", wa, text.clone()), None).await,
        StatusCode::OK
    );
    let sent = l.deliver_whatsapp().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0]["to"].as_str(), sent[0]["type"].as_str()),
        (Some(wa), Some("text"))
    );
    let ack = sent[0]["text"]["body"].as_str().unwrap().to_owned();
    let reference = ack
        .split("Ref ")
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    // Meta retries: nothing twice.
    assert_eq!(
        whatsapp(&l, wa_message("wamid.1", wa, text), None).await,
        StatusCode::OK
    );
    assert!(l.deliver_whatsapp().await.is_empty());
    // Status updates reach the outbox.
    let status = json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "statuses": [{"id": "wamid.out.1", "status": "read", "timestamp": "1780000100", "recipient_id": wa}]}}]}]});
    assert_eq!(whatsapp(&l, status, None).await, StatusCode::OK);
    assert_eq!(
        l.app.store.outbox_to(wa, 1).await.unwrap()[0].status,
        baraza_core::outbound::OutboxStatus::Delivered
    );

    // Staff answer; the citizen taps the "1" button: confirmed, then asked for a rating.
    let number = reference.trim_start_matches("EM-").replace('-', "");
    l.app
        .act(
            DESK,
            &number,
            json!({"action": "triage", "category": "water-supply", "priority": "high"}),
        )
        .await;
    l.app
        .act(
            DESK,
            &number,
            json!({"action": "respond", "text": "Water is back since this morning."}),
        )
        .await;
    let answer = l.deliver_whatsapp().await;
    // "Is it solved?" comes with Yes / No buttons whose ids are the answers.
    assert_eq!(answer[0]["type"], "interactive");
    let interactive = &answer[0]["interactive"];
    assert!(
        interactive["body"]["text"]
            .as_str()
            .unwrap()
            .contains("Water is back since this morning.")
    );
    assert_eq!(interactive["action"]["buttons"][0]["reply"]["id"], "1");
    assert_eq!(interactive["action"]["buttons"][1]["reply"]["id"], "2");
    let button = json!({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "1", "title": "Yes"}}});
    whatsapp(&l, wa_message("wamid.2", wa, button), None).await;
    assert!(
        l.deliver_whatsapp().await[0]["text"]["body"]
            .as_str()
            .unwrap()
            .contains("How satisfied")
    );
    let (_, case) = l.app.get(DESK, &format!("/api/v1/cases/{number}")).await;
    assert_eq!(
        (case["status"].as_str(), case["channel"].as_str()),
        (Some("resolved"), Some("whatsapp"))
    );

    // A photo with a caption is a new concern; answered after a day of silence, the
    // acknowledgement must be an approved template, not free text.
    let photo = json!({"type": "image", "image": {"id": "MEDIA123", "mime_type": "image/jpeg", "caption": "Broken culvert at Kimwarer"}});
    whatsapp(&l, wa_message("wamid.3", wa, photo), None).await;
    l.clock.advance(chrono::Duration::hours(25));
    let late = l.deliver_whatsapp().await;
    assert_eq!(late[0]["type"], "template");
    assert_eq!(late[0]["template"]["name"], "baraza_update");
    assert!(
        late[0]["template"]["components"][0]["parameters"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Ref EM-")
    );
    // The photo itself is fetched by the media job and attached to the case through the journal.
    let dir = tempfile::tempdir().unwrap();
    let gateway = Arc::new(baraza_channels::whatsapp::WhatsappGateway::new(wa_config(
        &l.fake_base,
    )));
    let fetcher = baraza_jobs::media::MediaFetcher::new(
        l.app.store.clone(),
        l.clock.clone(),
        gateway,
        dir.path().to_owned(),
    );
    assert_eq!(fetcher.run_once().await.unwrap(), 1);
    assert_eq!(fetcher.run_once().await.unwrap(), 0, "fetched once only");
    let text = late[0]["template"]["components"][0]["parameters"][0]["text"]
        .as_str()
        .unwrap();
    let photo_ref = text
        .split("Ref ")
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .trim_start_matches("EM-")
        .replace('-', "");
    let (_, case) = l.app.get(DESK, &format!("/api/v1/cases/{photo_ref}")).await;
    let attachment = &case["attachments"][0];
    assert_eq!(
        (
            attachment["media_type"].as_str(),
            attachment["size_bytes"].as_u64()
        ),
        (Some("image/jpeg"), Some(10))
    );
    let stored = std::fs::read(dir.path().join(attachment["sha256"].as_str().unwrap())).unwrap();
    assert_eq!(stored, b"JPEG-BYTES");
    assert!(
        case["journal"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "case.media_attached")
    );
    l.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whatsapp_concern_is_answered_and_confirmed_on_whatsapp() {
    whatsapp_loop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_whatsapp_concern_is_answered_and_confirmed_on_whatsapp() {
    whatsapp_loop(true).await;
}

/// A Twilio callback, signed as Twilio signs it (the handler's public URL is empty in
/// these tests, so the signed URL is the path).
async fn twilio_post(l: &Loop, path: &str, params: &[(&str, &str)], forged: bool) -> StatusCode {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let token = Secret::new(if forged { "guess" } else { "tw-auth-token" });
    let sig = baraza_channels::twilio::signature(&token, path, &owned);
    let r = l
        .app
        .http
        .post(format!("{}{path}", l.app.base))
        .header("X-Twilio-Signature", sig)
        .form(params)
        .send()
        .await
        .unwrap();
    let status = r.status();
    if status.is_success() {
        assert_eq!(
            r.text().await.unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"
        );
    }
    status
}

async fn twilio_loop(pg: bool) {
    let Some(l) = Loop::start(pg).await else {
        return;
    };
    let base = l.fake_base.clone();
    let worker = OutboxWorker::new(
        l.app.store.clone(),
        l.clock.clone(),
        Arc::new(Templates::load().unwrap()),
    )
    .with_gateway(Arc::new(
        TwilioGateway::new(tw_config(&base), OutboundChannel::Sms).unwrap(),
    ))
    .with_gateway(Arc::new(
        TwilioGateway::new(tw_config(&base), OutboundChannel::Whatsapp).unwrap(),
    ));
    let deliver = || async {
        let before = l.fake.tw_sent.lock().unwrap().len();
        worker.run_once().await.unwrap();
        l.fake.tw_sent.lock().unwrap()[before..].to_vec()
    };
    let phone = "+254744000444";
    let sms = [
        ("MessageSid", "SM1"),
        ("AccountSid", "ACtest"),
        ("From", phone),
        ("To", "+15005550006"),
        ("Body", "Pothole on the Iten road"),
        ("NumMedia", "0"),
    ];
    assert_eq!(
        twilio_post(&l, "/webhooks/twilio", &sms, true).await,
        StatusCode::FORBIDDEN
    );
    assert!(deliver().await.is_empty());
    assert_eq!(
        twilio_post(&l, "/webhooks/twilio", &sms, false).await,
        StatusCode::OK
    );
    let sent = deliver().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0]["To"].as_str(), sent[0]["From"].as_str()),
        (phone, "+15005550006")
    );
    assert!(
        sent[0]["Body"].contains("Ref EM-")
            && sent[0]["StatusCallback"].ends_with("/webhooks/twilio/status")
    );
    // Twilio retries the webhook: nothing twice.
    assert_eq!(
        twilio_post(&l, "/webhooks/twilio", &sms, false).await,
        StatusCode::OK
    );
    assert!(deliver().await.is_empty());
    // Status callbacks: ours counted, others refused.
    let delivered = [
        ("MessageSid", "SMfake1"),
        ("MessageStatus", "delivered"),
        ("AccountSid", "ACtest"),
    ];
    assert_eq!(
        twilio_post(&l, "/webhooks/twilio/status", &delivered, false).await,
        StatusCode::OK
    );
    assert_eq!(
        l.app.store.outbox_to(phone, 1).await.unwrap()[0].status,
        baraza_core::outbound::OutboxStatus::Delivered
    );
    let unknown = [("MessageSid", "SMnotours"), ("MessageStatus", "delivered")];
    assert_eq!(
        twilio_post(&l, "/webhooks/twilio/status", &unknown, false).await,
        StatusCode::NOT_FOUND
    );
    // WhatsApp through Twilio, in French.
    let wa = [
        ("MessageSid", "SM2"),
        ("From", "whatsapp:+254744000555"),
        ("To", "whatsapp:+14155238886"),
        ("Body", "FRANCAIS"),
        ("WaId", "254744000555"),
    ];
    assert_eq!(
        twilio_post(&l, "/webhooks/twilio", &wa, false).await,
        StatusCode::OK
    );
    let sent = deliver().await;
    assert_eq!(
        (sent[0]["To"].as_str(), sent[0]["From"].as_str()),
        ("whatsapp:+254744000555", "whatsapp:+14155238886")
    );
    assert_eq!(sent[0]["Body"], "Nous vous écrirons en français.");
    l.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_sms_and_whatsapp_are_signed_answered_and_tracked() {
    twilio_loop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_twilio_sms_and_whatsapp_are_signed_answered_and_tracked() {
    twilio_loop(true).await;
}

async fn three_languages(pg: bool) {
    let Some(l) = Loop::start(pg).await else {
        return;
    };
    let cases = [
        (
            "ENGLISH",
            "+254766000001",
            "received.",
            "How satisfied",
            "Thank you for your rating of",
        ),
        (
            "KISWAHILI",
            "+254766000002",
            "imepokelewa.",
            "Umeridhika kiasi gani",
            "Asante kwa tathmini yako ya",
        ),
        // On SMS the French is made GSM-7: "reçue" goes out as "recue".
        (
            "FRANCAIS",
            "+254766000003",
            "recue.",
            "Etes-vous satisfait",
            "Merci pour votre note sur",
        ),
    ];
    for (i, (word, phone, status, ask, thanks)) in cases.into_iter().enumerate() {
        let id = |n: usize| format!("ATXid_lang_{i}_{n}");
        l.sms(&id(1), phone, "The water kiosk at Tambach is closed")
            .await;
        let ack = l.deliver().await.remove(0);
        let reference = ack
            .split("Ref ")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .to_owned();
        l.sms(&id(2), phone, word).await;
        l.deliver().await;
        l.sms(&id(3), phone, &format!("STATUS {reference}")).await;
        let got = l.deliver().await.remove(0);
        assert!(
            got.starts_with(&reference) && got.ends_with(status),
            "{word}: {got}"
        );
        let number = reference.trim_start_matches("EM-").replace('-', "");
        l.app
            .act(
                DESK,
                &number,
                json!({"action": "triage", "category": "water-supply", "priority": "normal"}),
            )
            .await;
        l.app
            .act(
                DESK,
                &number,
                json!({"action": "respond", "text": "Open again."}),
            )
            .await;
        l.deliver().await;
        l.sms(&id(4), phone, "1").await;
        let got = l.deliver().await.remove(0);
        assert!(got.contains(ask), "{word}: {got}");
        l.sms(&id(5), phone, "5").await;
        let got = l.deliver().await.remove(0);
        assert!(
            got.starts_with(thanks) && got.contains(&reference),
            "{word}: {got}"
        );
    }
    l.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_confirmation_and_rating_in_english_kiswahili_and_french() {
    three_languages(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_status_confirmation_and_rating_in_english_kiswahili_and_french() {
    three_languages(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn africastalking_callbacks_can_be_limited_to_its_addresses() {
    for (allowed, want) in [
        ("10.0.0.1", StatusCode::FORBIDDEN),
        ("127.0.0.1", StatusCode::OK),
    ] {
        let mut at = config("http://127.0.0.1:9");
        at.allowed_ips = vec![allowed.parse().unwrap()];
        let app = TestApp::sqlite_with(baraza_web::webhooks::Channels {
            africastalking: Some(at),
            ..Default::default()
        })
        .await;
        let form = [
            ("from", "+254788000001"),
            ("id", "ATXid_ip"),
            ("text", "Hello"),
            ("to", "40404"),
        ];
        let r = app
            .http
            .post(format!("{}/webhooks/africastalking/{SECRET}/sms", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want, "allow-list {allowed}");
        app.stop().await;
    }
}
