//! The "service request and priority framework" of the Elgeyo Marakwet commitment: a
//! matrix of category x urgency -> priority, each priority with a first-response and a
//! resolution target, counted on the jurisdiction's business calendar (working hours,
//! working days, public holidays) or around the clock for urgent priorities.

use crate::{FieldError, Timestamp};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

string_enum! {
    pub enum Priority { Critical => "critical", High => "high", Normal => "normal", Low => "low" }
}

string_enum! {
    /// How urgent a concern is, as judged at triage (danger to life or health, how many
    /// people are affected); with the category it gives the priority.
    pub enum Urgency { High => "high", Medium => "medium", Low => "low" }
}

/// A jurisdiction's working days and hours. Deadlines of priorities that are not "around
/// the clock" only run while the county's offices are open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessCalendar {
    /// An IANA zone, e.g. `Africa/Nairobi`; the jurisdiction's own when left empty.
    pub timezone: String,
    /// Working days, e.g. `["mon", "tue", "wed", "thu", "fri"]`.
    pub days: Vec<String>,
    /// Opening and closing times, local, `HH:MM`.
    pub opens: String,
    pub closes: String,
    /// Public holidays, `YYYY-MM-DD`: no deadline runs on them.
    pub holidays: Vec<NaiveDate>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self {
            timezone: String::new(),
            days: ["mon", "tue", "wed", "thu", "fri"]
                .map(String::from)
                .to_vec(),
            opens: "08:00".into(),
            closes: "17:00".into(),
            holidays: Vec::new(),
        }
    }
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    Some(match s.to_ascii_lowercase().get(..3)? {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// A calendar checked and ready to count with.
#[derive(Debug, Clone)]
struct Calendar {
    tz: chrono_tz::Tz,
    days: Vec<Weekday>,
    opens: NaiveTime,
    closes: NaiveTime,
    holidays: Vec<NaiveDate>,
}

/// Never search further than this for working time (a calendar with no working day).
const MAX_DAYS: i64 = 3 * 366;

impl Calendar {
    fn parse(c: &BusinessCalendar, fallback_tz: &str) -> Result<Self, FieldError> {
        let tz_name = if c.timezone.is_empty() {
            fallback_tz
        } else {
            &c.timezone
        };
        let tz: chrono_tz::Tz = tz_name.parse().map_err(|_| {
            FieldError::new(
                "calendar.timezone",
                format!("unknown time zone {tz_name:?}; use an IANA name such as Africa/Nairobi"),
            )
        })?;
        let mut days = Vec::new();
        for d in &c.days {
            days.push(parse_weekday(d).ok_or_else(|| {
                FieldError::new("calendar.days", format!("{d:?} is not a day (mon..sun)"))
            })?);
        }
        if days.is_empty() {
            return Err(FieldError::new(
                "calendar.days",
                "name at least one working day",
            ));
        }
        let time = |field: &str, s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| FieldError::new(field, format!("{s:?} is not a time (HH:MM)")))
        };
        let opens = time("calendar.opens", &c.opens)?;
        let closes = time("calendar.closes", &c.closes)?;
        if closes <= opens {
            return Err(FieldError::new(
                "calendar.closes",
                "offices must close after they open",
            ));
        }
        Ok(Self {
            tz,
            days,
            opens,
            closes,
            holidays: c.holidays.clone(),
        })
    }

    /// The working window of a local date, in UTC, if it is a working day.
    fn window(&self, date: NaiveDate) -> Option<(Timestamp, Timestamp)> {
        if !self.days.contains(&date.weekday()) || self.holidays.contains(&date) {
            return None;
        }
        let at = |t: NaiveTime| {
            self.tz
                .from_local_datetime(&date.and_time(t))
                .earliest()
                .map(|d| d.with_timezone(&chrono::Utc))
        };
        Some((at(self.opens)?, at(self.closes)?))
    }

    fn local_date(&self, t: Timestamp) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    fn is_working(&self, date: NaiveDate) -> bool {
        self.days.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    /// The first instant after a local date (its midnight, in UTC).
    fn end_of(&self, date: NaiveDate) -> Timestamp {
        let next = date.succ_opt().unwrap_or(date);
        self.tz
            .from_local_datetime(&next.and_time(NaiveTime::MIN))
            .earliest()
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| next.and_time(NaiveTime::MIN).and_utc())
    }

    /// `days` days after `date`: working days only, or calendar days with a last day that
    /// is not a working day moved to the next working day.
    fn add_days(&self, date: NaiveDate, days: u32, working: bool) -> NaiveDate {
        let mut d = date;
        if working {
            let mut left = days;
            let mut guard = 0;
            while left > 0 && guard < MAX_DAYS {
                d = d.succ_opt().unwrap_or(d);
                if self.is_working(d) {
                    left -= 1;
                }
                guard += 1;
            }
        } else {
            d += Duration::days(i64::from(days));
        }
        let mut guard = 0;
        while !self.is_working(d) && guard < MAX_DAYS {
            d = d.succ_opt().unwrap_or(d);
            guard += 1;
        }
        d
    }

    /// Whole days from `a`'s local date to `b`'s: working days only, or calendar days.
    fn days_between(&self, a: Timestamp, b: Timestamp, working: bool) -> u32 {
        let (from, to) = (self.local_date(a), self.local_date(b));
        if to <= from {
            return 0;
        }
        if !working {
            return u32::try_from((to - from).num_days()).unwrap_or(u32::MAX);
        }
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().unwrap_or(to);
            if self.is_working(d) {
                n += 1;
            }
        }
        n
    }

    /// `start` plus `work` of working time.
    fn add(&self, start: Timestamp, work: Duration) -> Timestamp {
        let mut left = work;
        let mut date = self.local_date(start);
        for _ in 0..MAX_DAYS {
            if let Some((open, close)) = self.window(date) {
                let from = start.max(open);
                if from < close {
                    let here = close - from;
                    if left <= here {
                        return from + left;
                    }
                    left -= here;
                }
            }
            date = date.succ_opt().unwrap_or(date);
        }
        start + work
    }

    /// Working time between `a` and `b`.
    fn between(&self, a: Timestamp, b: Timestamp) -> Duration {
        let mut total = Duration::zero();
        if b <= a {
            return total;
        }
        let mut date = self.local_date(a);
        let last = self.local_date(b);
        while date <= last {
            if let Some((open, close)) = self.window(date) {
                let (from, to) = (a.max(open), b.min(close));
                if from < to {
                    total += to - from;
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        total
    }
}

/// A jurisdiction's priority framework. Loaded from its jurisdiction file's `[policy]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Hours to a first response, per priority (critical, high, normal, low).
    pub first_response_hours: [u32; 4],
    /// Hours to resolution, per priority.
    pub resolution_hours: [u32; 4],
    /// Priorities whose targets count every hour, not only working hours.
    pub around_the_clock: Vec<Priority>,
    pub calendar: BusinessCalendar,
    /// Category code (or `*` for any other) -> priority for urgency high, medium, low.
    pub matrix: BTreeMap<String, [Priority; 3]>,
    /// How long personal data is kept once a citizen's cases have settled.
    pub retention: Retention,
    /// The access-to-information law: its clocks, exemptions, fees and reviews.
    pub information: crate::information::InformationPolicy,
}

/// How long personal data is kept after a case settles (closed, rejected, referred or
/// marked duplicate), in days. The daily retention job erases what has expired, through
/// the same erasure path as a data subject's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    /// The citizen's name and contacts (and, with them, their words in the journal),
    /// counted from the last of their cases to settle.
    pub contacts_days: u32,
    /// The texts of the messages they sent, counted from their case settling.
    pub message_texts_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        // Three years for contacts (a reopened complaint, an audit), one for raw texts.
        Self {
            contacts_days: 3 * 365,
            message_texts_days: 365,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        // Critical counts every hour: 4 h to respond, a day to resolve. The others count
        // working hours of a 9-hour day: high 1 / 3 days, normal 3 / 10, low 5 / 20.
        let mut matrix = BTreeMap::new();
        matrix.insert(
            "*".to_owned(),
            [Priority::High, Priority::Normal, Priority::Low],
        );
        Self {
            first_response_hours: [4, 9, 27, 45],
            resolution_hours: [24, 27, 90, 180],
            around_the_clock: vec![Priority::Critical],
            calendar: BusinessCalendar::default(),
            retention: Retention::default(),
            information: crate::information::InformationPolicy::default(),
            matrix,
        }
    }
}

fn index(p: Priority) -> usize {
    match p {
        Priority::Critical => 0,
        Priority::High => 1,
        Priority::Normal => 2,
        Priority::Low => 3,
    }
}

/// A policy with its calendar resolved against the jurisdiction's time zone.
#[derive(Debug, Clone)]
pub struct Deadlines {
    policy: Policy,
    calendar: Calendar,
}

impl Policy {
    /// Check the policy (time zone, days, hours) against its jurisdiction's time zone.
    pub fn resolve(&self, jurisdiction_tz: &str) -> Result<Deadlines, FieldError> {
        for (i, h) in self.resolution_hours.iter().enumerate() {
            if *h == 0 || self.first_response_hours[i] == 0 {
                return Err(FieldError::new(
                    "policy",
                    "every target must be at least one hour",
                ));
            }
        }
        self.information.validate()?;
        Ok(Deadlines {
            policy: self.clone(),
            calendar: Calendar::parse(&self.calendar, jurisdiction_tz)?,
        })
    }

    /// The (first-response, resolution) targets of a priority, in hours.
    pub fn targets(&self, p: Priority) -> (u32, u32) {
        (
            self.first_response_hours[index(p)],
            self.resolution_hours[index(p)],
        )
    }

    /// The priority the matrix gives a category at an urgency.
    pub fn priority_for(&self, category: &str, urgency: Urgency) -> Priority {
        let row = self
            .matrix
            .get(category)
            .or_else(|| self.matrix.get("*"))
            .copied()
            .unwrap_or([Priority::High, Priority::Normal, Priority::Low]);
        row[match urgency {
            Urgency::High => 0,
            Urgency::Medium => 1,
            Urgency::Low => 2,
        }]
    }
}

impl Default for Deadlines {
    fn default() -> Self {
        Policy::default()
            .resolve("Africa/Nairobi")
            .expect("the default policy is valid")
    }
}

impl Deadlines {
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn counts_every_hour(&self, p: Priority) -> bool {
        self.policy.around_the_clock.contains(&p)
    }

    fn after(&self, start: Timestamp, hours: u32, p: Priority) -> Timestamp {
        let d = Duration::hours(i64::from(hours));
        if self.counts_every_hour(p) {
            start + d
        } else {
            self.calendar.add(start, d)
        }
    }

    /// When the first response is due for a case received at `start`.
    pub fn first_response(&self, start: Timestamp, p: Priority) -> Timestamp {
        self.after(start, self.policy.first_response_hours[index(p)], p)
    }

    /// When resolution is due for a case received at `start`.
    pub fn resolution(&self, start: Timestamp, p: Priority) -> Timestamp {
        self.after(start, self.policy.resolution_hours[index(p)], p)
    }

    /// A statutory deadline: the end of the `days`-th day after the local date of
    /// `start` (Kenya's "within 21 days of receipt"), counting working days only, or
    /// calendar days with a last day that falls on a weekend or holiday moved to the next
    /// working day, as Alaveteli counts.
    pub fn statutory_due(&self, start: Timestamp, days: u32, working: bool) -> Timestamp {
        let date = self.calendar.local_date(start);
        self.calendar
            .end_of(self.calendar.add_days(date, days, working))
    }

    /// A statutory deadline moved on by `days` days (an extension, days waited).
    pub fn shift_due(&self, due: Timestamp, days: u32, working: bool) -> Timestamp {
        if days == 0 {
            return due;
        }
        let last = self.calendar.local_date(due - Duration::seconds(1));
        self.calendar
            .end_of(self.calendar.add_days(last, days, working))
    }

    /// Whole statutory days between two instants (by local date).
    pub fn statutory_days_between(&self, a: Timestamp, b: Timestamp, working: bool) -> u32 {
        self.calendar.days_between(a, b, working)
    }

    /// How a due instant reads locally: the last day (`2026-11-23`) for a deadline at a
    /// day's end, or the day and time for one counted in hours.
    pub fn due_text(&self, due: Timestamp, in_hours: bool) -> String {
        if in_hours {
            due.with_timezone(&self.calendar.tz)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string()
        } else {
            self.calendar
                .local_date(due - Duration::seconds(1))
                .format("%Y-%m-%d")
                .to_string()
        }
    }

    /// The local date of an instant in the jurisdiction.
    pub fn local_date(&self, t: Timestamp) -> NaiveDate {
        self.calendar.local_date(t)
    }

    /// A deadline pushed back by the time that counted between `from` and `to` (the time
    /// spent waiting for the citizen, during which the clock stops).
    pub fn paused(&self, due: Timestamp, from: Timestamp, to: Timestamp, p: Priority) -> Timestamp {
        if self.counts_every_hour(p) {
            due + (to - from).max(Duration::zero())
        } else {
            self.calendar.add(due, self.calendar.between(from, to))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn t(s: &str) -> Timestamp {
        s.parse::<chrono::DateTime<Utc>>().unwrap()
    }

    fn kenya() -> Deadlines {
        let mut p = Policy::default();
        p.calendar.holidays = vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()];
        p.resolve("Africa/Nairobi").unwrap()
    }

    #[test]
    fn working_hours_skip_nights_weekends_and_holidays() {
        let d = kenya();
        // Thursday 2026-12-24 16:00 EAT (13:00Z); high: 9 working hours. One hour on
        // Thursday, Friday is Christmas, the weekend, then 8 hours on Monday 28th.
        let due = d.first_response(t("2026-12-24T13:00:00Z"), Priority::High);
        assert_eq!(due, t("2026-12-28T13:00:00Z"));
        // Received at night: the clock starts when offices open.
        let due = d.first_response(t("2026-11-26T20:00:00Z"), Priority::High);
        assert_eq!(due, t("2026-11-27T14:00:00Z"));
    }

    #[test]
    fn critical_counts_every_hour() {
        let d = kenya();
        let due = d.first_response(t("2026-12-24T20:00:00Z"), Priority::Critical);
        assert_eq!(due, t("2026-12-25T00:00:00Z"));
    }

    #[test]
    fn waiting_for_the_citizen_stops_the_clock() {
        let d = kenya();
        let due = t("2026-11-30T10:00:00Z");
        // Waited from Friday 15:00 EAT to Monday 10:00 EAT: 2 + 2 working hours.
        let later = d.paused(
            due,
            t("2026-11-27T12:00:00Z"),
            t("2026-11-30T07:00:00Z"),
            Priority::Normal,
        );
        assert_eq!(later, t("2026-11-30T14:00:00Z"));
    }

    #[test]
    fn matrix_falls_back_to_the_default_row() {
        let mut p = Policy::default();
        p.matrix.insert(
            "water-supply".into(),
            [Priority::Critical, Priority::High, Priority::Normal],
        );
        assert_eq!(
            p.priority_for("water-supply", Urgency::High),
            Priority::Critical
        );
        assert_eq!(p.priority_for("roads", Urgency::High), Priority::High);
        assert_eq!(p.priority_for("roads", Urgency::Low), Priority::Low);
    }

    #[test]
    fn bad_calendars_are_named() {
        let mut p = Policy::default();
        p.calendar.days = vec!["funday".into()];
        assert_eq!(
            p.resolve("Africa/Nairobi").unwrap_err().field,
            "calendar.days"
        );
        let p = Policy::default();
        assert_eq!(
            p.resolve("Mars/Olympus").unwrap_err().field,
            "calendar.timezone"
        );
    }
}
