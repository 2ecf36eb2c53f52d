//! Priorities and their targets: the "service request and priority framework" of the
//! Elgeyo Marakwet commitment. Each priority has a first-response and a resolution target.

use chrono::Duration;
use serde::{Deserialize, Serialize};

string_enum! {
    pub enum Priority { Critical => "critical", High => "high", Normal => "normal", Low => "low" }
}

/// Targets per priority, in hours; a jurisdiction may configure its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTargets {
    pub first_response_hours: [u32; 4],
    pub resolution_hours: [u32; 4],
}

impl Default for PriorityTargets {
    fn default() -> Self {
        // critical: 4 h / 1 day; high: 1 / 3 days; normal: 3 / 14 days; low: 5 / 30 days.
        Self {
            first_response_hours: [4, 24, 72, 120],
            resolution_hours: [24, 72, 336, 720],
        }
    }
}

impl PriorityTargets {
    fn index(p: Priority) -> usize {
        match p {
            Priority::Critical => 0,
            Priority::High => 1,
            Priority::Normal => 2,
            Priority::Low => 3,
        }
    }
    pub fn first_response(&self, p: Priority) -> Duration {
        Duration::hours(i64::from(self.first_response_hours[Self::index(p)]))
    }
    pub fn resolution(&self, p: Priority) -> Duration {
        Duration::hours(i64::from(self.resolution_hours[Self::index(p)]))
    }
}
