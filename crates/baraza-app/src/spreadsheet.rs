//! Every CSV Baraza writes (the dashboard's, open data, reports, and those of future
//! modules) goes through [`Csv`], which neutralises formula injection the way OWASP
//! describes: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! prefixed with a single quote, so that a spreadsheet shows it as text instead of running it.

/// A cell made safe to open in a spreadsheet.
pub fn safe_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// A CSV document whose every cell is made safe.
pub struct Csv {
    w: csv::Writer<Vec<u8>>,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

impl Csv {
    pub fn new() -> Self {
        Self {
            w: csv::Writer::from_writer(Vec::new()),
        }
    }

    pub fn row<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| safe_cell(c.as_ref()).into_owned())
            .collect();
        self.w.write_record(&cells)
    }

    /// A serialisable record as one row, its fields in `columns`' order (a JSON object's
    /// fields by name: strings as they are, numbers and booleans written out, null empty).
    pub fn record<T: serde::Serialize>(
        &mut self,
        columns: &[&str],
        r: &T,
    ) -> Result<(), csv::Error> {
        let v = serde_json::to_value(r).unwrap_or_default();
        let cells = columns.iter().map(|c| match v.get(*c) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        });
        self.row(cells)
    }

    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.w
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        let mut c = Csv::new();
        c.row([
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "Kamariny",
            "\t=1",
        ])
        .unwrap();
        let out = String::from_utf8(c.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2+3,'@SUM(A1),Kamariny,'\t=1\n"
        );
    }
}
