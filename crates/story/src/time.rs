//! Publication dates: ISO 8601 strings to seconds since 1970, and back to days.
//!
//! News feeds write dates as `2018-02-23T10:37:34Z`, `2015-08-01T08:00:57`
//! (no zone: read as UTC), `2018-03-01` or with an offset (`+03:00`). Time
//! windows only need seconds on one axis, so this is a small strict parser
//! instead of a calendar dependency; anything else is an error that quotes
//! the input.

/// A date string that is not ISO 8601.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "date {input:?} is not ISO 8601 (expected YYYY-MM-DD, optionally followed by THH:MM[:SS[.fff]] and Z or ±HH:MM)"
)]
pub struct DateError {
    /// The string as given.
    pub input: String,
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of `days_from_civil`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// Parses an ISO 8601 date or date-time into seconds since 1970-01-01T00:00:00Z.
///
/// # Errors
/// [`DateError`] quoting the input if it is not one of the accepted forms.
pub fn parse_date(input: &str) -> Result<i64, DateError> {
    let err = || DateError {
        input: input.to_string(),
    };
    let s = input.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let y = num(0..4).ok_or_else(err)? as i64;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return Err(err());
    }
    let m = num(5..7).ok_or_else(err)?;
    let d = num(8..10).ok_or_else(err)?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(err());
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    let mut i = 10;
    if i == s.len() {
        return Ok(secs);
    }
    if !matches!(s[i], b'T' | b't' | b' ') {
        return Err(err());
    }
    let h = num(i + 1..i + 3).ok_or_else(err)?;
    if s.get(i + 3) != Some(&b':') {
        return Err(err());
    }
    let mi = num(i + 4..i + 6).ok_or_else(err)?;
    let mut sec = 0;
    i += 6;
    if s.get(i) == Some(&b':') {
        sec = num(i + 1..i + 3).ok_or_else(err)?;
        i += 3;
        if s.get(i) == Some(&b'.') || s.get(i) == Some(&b',') {
            i += 1;
            let start = i;
            while s.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return Err(err());
            }
        }
    }
    if h > 23 || mi > 59 || sec > 60 {
        return Err(err());
    }
    secs += (h * 3600 + mi * 60 + sec) as i64;
    match s.get(i) {
        None => Ok(secs),
        Some(b'Z' | b'z') if i + 1 == s.len() => Ok(secs),
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1..i + 3).ok_or_else(err)?;
            let om = match s.get(i + 3) {
                Some(b':') if s.len() == i + 6 => num(i + 4..i + 6).ok_or_else(err)?,
                Some(_) if s.len() == i + 5 => num(i + 3..i + 5).ok_or_else(err)?,
                None => 0,
                _ => return Err(err()),
            };
            if oh > 23 || om > 59 {
                return Err(err());
            }
            let off = (oh * 3600 + om * 60) as i64;
            Ok(if sign == b'+' { secs - off } else { secs + off })
        }
        _ => Err(err()),
    }
}

/// `YYYY-MM-DD` of a time in seconds since 1970 (UTC).
pub fn format_day(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_feed_forms() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2018-02-23T10:37:34Z"), Ok(1_519_382_254));
        assert_eq!(parse_date("2018-02-23 10:37:34"), Ok(1_519_382_254));
        assert_eq!(parse_date("2018-02-23T13:37:34+03:00"), Ok(1_519_382_254));
        assert_eq!(parse_date("2018-02-23T13:37:34+0300"), Ok(1_519_382_254));
        assert_eq!(parse_date("2018-02-23T10:37:34.250Z"), Ok(1_519_382_254));
        assert_eq!(parse_date("2018-02-23T10:37"), Ok(1_519_382_220));
        assert_eq!(parse_date("2015-08-01T08:00:57"), Ok(1_438_416_057));
        assert_eq!(parse_date("2016-02-29"), Ok(1_456_704_000));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "yesterday",
            "01/08/2015",
            "2015-8-1",
            "2015-02-29",
            "2015-13-01",
            "2015-08-01T25:00",
            "2015-08-01T10",
            "2015-08-01T10:00:00Q",
            "2015-08-01T10:00:00.Z",
            "٢٠١٥-٠٨-٠١",
        ] {
            let e = parse_date(bad).unwrap_err();
            assert_eq!(e.input, bad);
        }
    }

    proptest! {
        #[test]
        fn days_round_trip(day in -719_000i64..2_900_000) {
            let s = format_day(day * 86_400 + 3_600);
            let back = parse_date(&s);
            prop_assert_eq!(back, Ok(day * 86_400), "{}", s);
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = parse_date(&s);
        }
    }
}
