//! The one strict reader behind every import (`ledger import`, `projects import`,
//! `households import`, `regions import`): it turns a file into rows of cells, each row with its
//! line, and refuses what cannot be read for certain. `docs/IMPORT.md` ("Reading files") states
//! the rules for users.
//!
//! # Text
//! - CSV files are UTF-8 (a byte-order mark is dropped), UTF-16 with a byte-order mark, or
//!   GB18030 (what Chinese Excel saves). A file that is not valid in any of them is refused,
//!   naming the line of the first bad byte; so is a UTF-8 file that ends inside a character (cut
//!   off), and a file that mixes UTF-8 lines with lines in another encoding.
//! - Every cell (CSV field or workbook text) is checked: NUL and other control characters (but
//!   tab and line breaks), C1 controls, U+FFFD (a character lost by an earlier conversion),
//!   private-use characters (bytes GB18030 has no character for, e.g. Big5 text), text that is
//!   garbled UTF-8 ("å¤§å" or "澶у潩" for 大坝), and, in a file read as GB18030, kana, Greek,
//!   Cyrillic, bopomofo and box drawing (Big5 read as GB18030) make the cell unreadable: its
//!   `Err` says why, and the importer reports it with the line and the field.
//! - A cell holds at most [`MAX_FIELD_CHARS`] characters.
//!
//! # CSV rows
//! - The first non-blank row is the header; every other non-blank row must have exactly as many
//!   fields as the header, else the row is refused as a whole ([`Record::problem`]).
//! - The last line must end with a line break (LF, CRLF or CR): a file cut off (copied or
//!   downloaded in part) would otherwise book its last row with a cut value (`21212.99` read as
//!   `212`, a blank last field that held text). No last field can prove it is whole — not even a
//!   quoted one, as `"a""` may be the start of `"a"""b"` — so a last line without a line break
//!   is refused as a row, whatever its width, and so is a file ending inside a quoted field.
//!   Rows whose fields are all blank are skipped.
//! - Lines are counted from the bytes (LF, CRLF or CR), so they are right for CRLF files, and a
//!   row's line is the line it starts on.
//!
//! # Workbooks
//! `.xlsx`, `.xlsm` and `.xlsb`: the first sheet, read cell by cell. Before anything is parsed,
//! the zip entries are unpacked into nothing to measure them: more than
//! [`MAX_UNPACKED_BYTES`] in all is refused, whatever the headers claim. At most
//! [`MAX_CELLS`] non-blank cells and [`MAX_COLUMNS`] columns are read. A value right of the
//! header's last column is refused. `.xls` and `.ods` are refused (their expansion cannot be
//! bounded before reading them): save them as `.xlsx` or CSV.
//!
//! # Messages
//! Values are echoed through [`excerpt`]: at most [`EXCERPT_CHARS`] characters, control
//! characters escaped.
use anyhow::{anyhow, bail};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use sunledger_web::app::table::csv_unguard;

/// Longest cell accepted, in characters.
pub const MAX_FIELD_CHARS: usize = 10_000;
/// Largest CSV file read.
pub const MAX_CSV_BYTES: u64 = 512 * 1024 * 1024;
/// Largest workbook file read (compressed).
pub const MAX_WORKBOOK_BYTES: u64 = 64 * 1024 * 1024;
/// Most bytes the entries of a workbook may unpack to, all together.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// Most non-blank cells read from a sheet.
pub const MAX_CELLS: usize = 1_000_000;
/// Most columns read from a sheet.
pub const MAX_COLUMNS: u32 = 1_000;
/// Longest excerpt of a value in a message.
pub const EXCERPT_CHARS: usize = 40;

/// A cell: its text, or why it cannot be read.
pub type Cell = Result<String, String>;

/// One row of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The line the row starts on (CSV), or its row number in the sheet (workbooks).
    pub line: u64,
    pub cells: Vec<Cell>,
    /// Why the row as a whole cannot be read (fields missing or extra, cut off); its cells must
    /// then not be used.
    pub problem: Option<String>,
}

impl Record {
    /// Every cell is readable and blank.
    pub fn is_blank(&self) -> bool {
        self.cells
            .iter()
            .all(|c| c.as_ref().is_ok_and(|s| s.trim().is_empty()))
    }
}

/// A file as read: its header row and the non-blank rows below it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Record,
    pub rows: Vec<Record>,
    /// How it was read: `CSV (UTF-8)`, `CSV (GB18030)`, `XLSX`...
    pub format: String,
    /// The CSV's encoding (`UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `GB18030`...); `""` for workbooks.
    pub encoding: &'static str,
}

/// A value as it may be shown in a message: at most [`EXCERPT_CHARS`] characters, control
/// characters escaped, `…` when cut.
pub fn excerpt(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(EXCERPT_CHARS)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_debug().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if s.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Longest report line printed: a backstop behind [`excerpt`], so that no message can carry a
/// whole huge value to the terminal.
pub const MAX_MESSAGE_CHARS: usize = 600;

/// A report line as printed: at most [`MAX_MESSAGE_CHARS`] characters, `…` when cut.
pub fn clip(line: &str) -> String {
    match line.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((i, _)) => format!("{}…", line.get(..i).unwrap_or(line)),
        None => line.to_string(),
    }
}

/// [`excerpt`] in quotes, for `{}` in a message (instead of `{:?}` of the whole value).
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", excerpt(s))
}

/// Workbook formats read, by extension.
const WORKBOOKS: [&str; 3] = ["xlsx", "xlsm", "xlsb"];
/// Workbook formats refused.
const UNBOUNDED_WORKBOOKS: [&str; 2] = ["xls", "ods"];

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// Reads the file at `path`: a workbook by extension (`.xlsx`, `.xlsm`, `.xlsb`), otherwise
/// CSV. `Err` when the file cannot be read at all (unreadable, undecodable, too large, empty);
/// rows that cannot be read carry their [`Record::problem`], cells their `Err`.
pub fn read_table(path: &Path) -> anyhow::Result<Table> {
    let ext = extension(path);
    let shown = path.display();
    if UNBOUNDED_WORKBOOKS.contains(&ext.as_str()) {
        bail!(
            "{shown}: .{ext} workbooks are not read (how far they expand cannot be checked before reading them): save the sheet as .xlsx or as CSV"
        );
    }
    if WORKBOOKS.contains(&ext.as_str()) {
        let records = read_workbook(path).map_err(|e| anyhow!("{shown}: {e:#}"))?;
        let mut t = table_of(records.into_iter(), "").map_err(|e| anyhow!("{shown}: {e:#}"))?;
        t.format = ext.to_ascii_uppercase();
        return Ok(t);
    }
    let (text, encoding) = read_text(path)?;
    read_csv_text(&text, encoding).map_err(|e| anyhow!("{shown}: {e:#}"))
}

/// A decoded CSV text as a table (what [`read_table`] does with a CSV file after decoding it).
pub fn read_csv_text(text: &str, encoding: &'static str) -> anyhow::Result<Table> {
    let mut rdr = CsvRows::new(text, encoding);
    let mut t = table_of(std::iter::from_fn(|| rdr.next_record()), encoding)?;
    t.format = format!("CSV ({encoding})");
    Ok(t)
}

/// Reads and decodes a CSV file (see [`decode`]), refusing one larger than [`MAX_CSV_BYTES`].
pub fn read_text(path: &Path) -> anyhow::Result<(String, &'static str)> {
    let shown = path.display();
    let len = std::fs::metadata(path)
        .map_err(|e| anyhow!("cannot read {shown}: {e}"))?
        .len();
    if len > MAX_CSV_BYTES {
        bail!(
            "{shown}: the file is {} MB, more than the {} MB read at once: split it",
            len / (1024 * 1024),
            MAX_CSV_BYTES / (1024 * 1024)
        );
    }
    let bytes = std::fs::read(path).map_err(|e| anyhow!("cannot read {shown}: {e}"))?;
    decode(bytes).map_err(|e| anyhow!("cannot decode {shown}: {e:#}"))
}

/// Header and rows from records: the first non-blank record is the header; blank records are
/// skipped; every other record must be no wider than the header (CSV records are checked
/// exactly by [`CsvRows`]).
fn table_of(
    records: impl Iterator<Item = Record>,
    encoding: &'static str,
) -> anyhow::Result<Table> {
    let mut it = records.skip_while(|r| r.problem.is_none() && r.is_blank());
    let Some(header) = it.next() else {
        bail!("the file is empty: expected a header row naming the columns");
    };
    if let Some(p) = &header.problem {
        bail!("the header (line {}): {p}", header.line);
    }
    let width = header.cells.len();
    let mut rows = Vec::new();
    for mut r in it {
        if r.problem.is_none() && r.is_blank() {
            continue;
        }
        if r.problem.is_none()
            && let Some(i) = r
                .cells
                .iter()
                .skip(width)
                .position(|c| c.as_ref().map_or(true, |s| !s.trim().is_empty()))
        {
            r.problem = Some(format!(
                "column {} holds a value, right of the header's last column ({width})",
                width + i + 1
            ));
        }
        rows.push(r);
    }
    Ok(Table {
        header,
        rows,
        format: String::new(),
        encoding,
    })
}

// --- decoding ----------------------------------------------------------------------------------

/// The line (1-based) of byte `at` in `bytes`: line breaks are LF, CRLF or a lone CR.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    let head = bytes.get(..at.min(bytes.len())).unwrap_or(bytes);
    let mut line = 1;
    let mut prev_cr = false;
    for &b in head {
        match b {
            b'\n' if prev_cr => {}
            b'\n' | b'\r' => line += 1,
            _ => {}
        }
        prev_cr = b == b'\r';
    }
    line
}

/// Decodes a CSV file: UTF-8 (a byte-order mark is dropped), UTF-16 with a byte-order mark,
/// otherwise GB18030. Refused, naming the line: bytes valid in none of them, a UTF-8 file cut
/// inside a character, a file mixing UTF-8 lines with lines in another encoding.
pub fn decode(bytes: Vec<u8>) -> anyhow::Result<(String, &'static str)> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(&bytes) {
        let body = bytes.get(bom_len..).unwrap_or(&[]);
        if enc == encoding_rs::UTF_8 {
            return match std::str::from_utf8(body) {
                Ok(s) => Ok((s.to_string(), "UTF-8 (BOM)")),
                Err(e) => Err(utf8_problem(
                    body,
                    &e,
                    "the file starts with a UTF-8 byte-order mark but",
                )),
            };
        }
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        if had_errors {
            let at = text.find('\u{fffd}').unwrap_or(0);
            bail!(
                "the file starts with a {} byte-order mark but line {} is not valid {}{}",
                enc.name(),
                line_of(text.as_bytes(), at),
                enc.name(),
                if body.len() % 2 == 1 {
                    " (the file ends inside a character: cut off?)"
                } else {
                    ""
                }
            );
        }
        return Ok((text.into_owned(), enc.name()));
    }
    let e = match std::str::from_utf8(&bytes) {
        Ok(_) => {
            return String::from_utf8(bytes)
                .map(|s| (s, "UTF-8"))
                .map_err(|e| anyhow!("{e}"));
        }
        Err(e) => e,
    };
    if e.error_len().is_none() {
        // Valid UTF-8 up to a character the file ends inside.
        return Err(utf8_problem(&bytes, &e, "the file"));
    }
    mixed_encodings(&bytes)?;
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
    if had_errors {
        let at = text.find('\u{fffd}').unwrap_or(0);
        bail!(
            "line {} is neither UTF-8 nor GB18030 text (save the file as UTF-8)",
            line_of(text.as_bytes(), at)
        );
    }
    Ok((text.into_owned(), "GB18030"))
}

fn utf8_problem(bytes: &[u8], e: &std::str::Utf8Error, what: &str) -> anyhow::Error {
    let line = line_of(bytes, e.valid_up_to());
    if e.error_len().is_none() {
        anyhow!(
            "{what} ends inside a character on line {line}: it looks cut off (copied or downloaded in part)"
        )
    } else {
        anyhow!("{what} is not valid UTF-8 on line {line}")
    }
}

/// Refuses a file some of whose lines are UTF-8 Chinese text while others are not UTF-8: it was
/// put together from files in different encodings, and no one reading gives all of it right.
fn mixed_encodings(bytes: &[u8]) -> anyhow::Result<()> {
    let mut utf8_lines: Vec<u64> = Vec::new();
    let mut other_lines: Vec<u64> = Vec::new();
    for (i, line) in (1u64..).zip(bytes.split(|b| *b == b'\n')) {
        if line.is_ascii() {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(s) if s.chars().filter(|c| is_cjk(*c)).count() >= 2 => utf8_lines.push(i),
            Ok(_) => {}
            Err(_) => other_lines.push(i),
        }
    }
    // A line of GB18030 text can happen to be valid UTF-8; many of them cannot.
    if let (Some(u), Some(o)) = (utf8_lines.first(), other_lines.first())
        && utf8_lines.len() * 10 >= other_lines.len()
    {
        bail!(
            "the file mixes encodings: line {u} is UTF-8 text but line {o} is not UTF-8 (save the whole file in one encoding, preferably UTF-8)"
        );
    }
    Ok(())
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Why a cell's text cannot be taken as it is, or `None`. `gb18030`: the file was read as
/// GB18030 (then characters Chinese text never holds point to another encoding, such as Big5).
pub fn text_problem(s: &str, gb18030: bool) -> Option<String> {
    if s.is_ascii() {
        if s.len() > MAX_FIELD_CHARS {
            return Some(too_long(s));
        }
        return s.chars().find(|c| bad_control(*c)).map(control_problem);
    }
    let mut n = 0usize;
    for c in s.chars() {
        n += 1;
        if bad_control(c) {
            return Some(control_problem(c));
        }
        if c == '\u{fffd}' {
            return Some(
                "holds U+FFFD, the mark of a character lost by an earlier conversion".to_string(),
            );
        }
        if ('\u{e000}'..='\u{f8ff}').contains(&c) {
            return Some(format!(
                "holds the private-use character U+{:04X}: the text is in another encoding than the file is read in (Big5?)",
                c as u32
            ));
        }
        if gb18030
            && matches!(c as u32, 0x0370..=0x03ff | 0x0400..=0x04ff | 0x2500..=0x257f | 0x3040..=0x30ff | 0x3100..=0x312f)
        {
            return Some(format!(
                "holds {c:?} (U+{:04X}), not Chinese text: the file does not look like GB18030 (Big5 or another encoding?): save it as UTF-8",
                c as u32
            ));
        }
    }
    if n > MAX_FIELD_CHARS {
        return Some(too_long(s));
    }
    if let Some(fixed) = garbled(s) {
        return Some(format!(
            "looks garbled (text converted with the wrong encoding; read as UTF-8 it says {}): fix the text at its source",
            quoted(&fixed)
        ));
    }
    None
}

fn too_long(s: &str) -> String {
    format!(
        "is {} characters long, more than the {MAX_FIELD_CHARS} accepted",
        s.chars().count()
    )
}

fn bad_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn control_problem(c: char) -> String {
    if c == '\0' {
        "holds a NUL byte (a binary file, or UTF-16 without a byte-order mark?)".to_string()
    } else {
        format!("holds the control character U+{:04X}", c as u32)
    }
}

/// What `s` says when it is UTF-8 that was decoded in another encoding (Windows-1252 or GBK)
/// and saved again: its bytes in that encoding are UTF-8 Chinese.
fn garbled(s: &str) -> Option<String> {
    for enc in [encoding_rs::WINDOWS_1252, encoding_rs::GB18030] {
        // Windows-1252 holds nothing from U+2200 up but a few symbols: Chinese text is not it.
        if enc == encoding_rs::WINDOWS_1252 && s.chars().any(|c| c >= '\u{2200}') {
            continue;
        }
        let (bytes, _, unmappable) = enc.encode(s);
        if unmappable || bytes.as_ref() == s.as_bytes() {
            continue;
        }
        if let Ok(t) = std::str::from_utf8(&bytes)
            && t.chars().filter(|c| is_cjk(*c)).count() >= 2
            && t.chars().all(|c| {
                c.is_ascii()
                    || is_cjk(c)
                    || ('\u{3000}'..='\u{303f}').contains(&c)
                    || ('\u{ff00}'..='\u{ffef}').contains(&c)
            })
        {
            return Some(t.to_string());
        }
    }
    None
}

/// A cell from raw text: checked ([`text_problem`]), and for CSV the export's formula guard
/// undone.
fn cell(raw: &str, gb18030: bool, csv: bool) -> Cell {
    match text_problem(raw, gb18030) {
        Some(why) => Err(why),
        None if csv => Ok(csv_unguard(raw).to_string()),
        None => Ok(raw.to_string()),
    }
}

// --- CSV ---------------------------------------------------------------------------------------

/// The records of a decoded CSV text, one at a time (a national region table is not held as
/// cells all at once). The first non-blank record is the header; later records are checked
/// against its width and the last one for being cut off (see the module documentation).
pub struct CsvRows<'a> {
    text: &'a str,
    rdr: csv::Reader<&'a [u8]>,
    rec: csv::StringRecord,
    gb18030: bool,
    /// Line counting: the line of byte `at`.
    at: usize,
    line: u64,
    prev_cr: bool,
    header: Option<(u64, usize)>,
}

impl<'a> CsvRows<'a> {
    pub fn new(text: &'a str, encoding: &str) -> CsvRows<'a> {
        let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let delimiter = if !first_line.contains(',') && first_line.contains('\t') {
            b'\t'
        } else {
            b','
        };
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        CsvRows {
            text,
            rdr,
            rec: csv::StringRecord::new(),
            gb18030: encoding == "GB18030",
            at: 0,
            line: 1,
            prev_cr: false,
            header: None,
        }
    }

    /// The line of byte `to` (counted on from the last call: calls come in file order).
    fn line_at(&mut self, to: usize) -> u64 {
        let bytes = self.text.as_bytes();
        if let Some(chunk) = bytes.get(self.at..to.min(bytes.len())) {
            for &b in chunk {
                match b {
                    b'\n' if self.prev_cr => {}
                    b'\n' | b'\r' => self.line += 1,
                    _ => {}
                }
                self.prev_cr = b == b'\r';
            }
            self.at = to.min(bytes.len());
        }
        self.line
    }

    /// How far the reader has got, in bytes (for a progress bar).
    pub fn byte(&self) -> u64 {
        self.rdr.position().byte()
    }

    /// The next record (blank ones included), or `None` at the end.
    pub fn next_record(&mut self) -> Option<Record> {
        let bytes = self.text.as_bytes();
        match self.rdr.read_record(&mut self.rec) {
            Ok(true) => {}
            // The text is already decoded, so the reader cannot fail; treat it as the end.
            Ok(false) | Err(_) => return None,
        }
        let start = self.rec.position().map(|p| p.byte() as usize).unwrap_or(0);
        // The reader may place a record at the line break that ended the previous one.
        let first = bytes
            .get(start..)
            .and_then(|rest| rest.iter().position(|b| !matches!(b, b'\r' | b'\n')))
            .map_or(start, |k| start + k);
        let line = self.line_at(first);
        let end = self.rdr.position().byte() as usize;
        let cells: Vec<Cell> = self
            .rec
            .iter()
            .map(|f| cell(f, self.gb18030, true))
            .collect();
        let mut r = Record {
            line,
            cells,
            problem: None,
        };
        let at_end = end >= bytes.len();
        let raw = bytes.get(first..end.min(bytes.len())).unwrap_or(&[]);
        let unterminated = at_end && !matches!(raw.last(), Some(b'\n' | b'\r'));
        let open_quote = unterminated && raw.iter().filter(|b| **b == b'"').count() % 2 == 1;
        match self.header {
            None if r.is_blank() && !open_quote => {}
            None => {
                self.header = Some((line, r.cells.len()));
                if open_quote {
                    r.problem = Some(
                        "the file ends inside the header line (no line break after it): it looks cut off".into(),
                    );
                }
            }
            Some((hline, width)) => {
                let n = r.cells.len();
                if open_quote {
                    r.problem = Some(
                        "the file ends inside a quoted field of this line: it looks cut off (copied or downloaded in part), or a quote is not closed".into(),
                    );
                } else if r.is_blank() {
                } else if n != width {
                    r.problem = Some(format!(
                        "has {n} field{} but the header (line {hline}) has {width}{}",
                        if n == 1 { "" } else { "s" },
                        if unterminated {
                            ": the file ends inside this line, it looks cut off"
                        } else {
                            " (a missing or extra comma, or an unbalanced quote?)"
                        }
                    ));
                } else if unterminated {
                    r.problem = Some(
                        "the file ends without a line break after this last line, so the line may be cut off (a file copied or downloaded in part): if it is complete, end the file with a line break".into(),
                    );
                }
            }
        }
        Some(r)
    }
}

// --- workbooks ---------------------------------------------------------------------------------

/// Measures the zip entries of a workbook by unpacking them into nothing: `Err` when they hold
/// more than [`MAX_UNPACKED_BYTES`], whatever their headers say, or are not a readable zip.
fn check_unpacked_size(path: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::open(path).map_err(|e| anyhow!("cannot read it: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_WORKBOOK_BYTES {
        bail!(
            "the workbook is {} MB, more than the {} MB read: save it as CSV",
            len / (1024 * 1024),
            MAX_WORKBOOK_BYTES / (1024 * 1024)
        );
    }
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| anyhow!("not a workbook (not a readable zip file: {e})"))?;
    let limit = MAX_UNPACKED_BYTES;
    let too_big = || {
        anyhow!(
            "the workbook unpacks to more than {} MB (a sheet far larger than its data, or a zip bomb): it is not read; save the sheet as CSV",
            limit / (1024 * 1024)
        )
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| anyhow!("not a readable workbook: {e}"))?;
        if total.saturating_add(entry.size()) > limit {
            return Err(too_big());
        }
        let left = limit - total;
        let name = excerpt(&String::from_utf8_lossy(entry.name_raw()));
        let n = std::io::copy(&mut (&mut entry).take(left + 1), &mut std::io::sink())
            .map_err(|e| anyhow!("not a readable workbook ({name}): {e}"))?;
        total += n;
        if total > limit {
            return Err(too_big());
        }
    }
    Ok(())
}

/// The first sheet of a workbook as records, one per row holding a cell (positions as in the
/// sheet: the row number is the line, columns left of the data are blank).
fn read_workbook(path: &Path) -> anyhow::Result<Vec<Record>> {
    use calamine::Reader;
    check_unpacked_size(path)?;
    let mut cells: BTreeMap<u32, Vec<(u32, Cell)>> = BTreeMap::new();
    let mut count = 0usize;
    let mut add = |pos: (u32, u32), c: &calamine::DataRef<'_>| -> anyhow::Result<()> {
        if matches!(c, calamine::DataRef::Empty) {
            return Ok(());
        }
        let (row, col) = pos;
        if col >= MAX_COLUMNS {
            bail!(
                "row {} has a value in column {}: at most {MAX_COLUMNS} columns are read",
                u64::from(row) + 1,
                u64::from(col) + 1
            );
        }
        count += 1;
        if count > MAX_CELLS {
            bail!("the sheet has more than {MAX_CELLS} cells with a value: save it as CSV");
        }
        cells.entry(row).or_default().push((col, cell_text(c)));
        Ok(())
    };
    let ext = extension(path);
    if ext == "xlsb" {
        let mut wb: calamine::Xlsb<_> = calamine::open_workbook(path)
            .map_err(|e| anyhow!("cannot open it as a workbook: {e}"))?;
        let name = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| anyhow!("the workbook has no sheet"))?;
        let mut rdr = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| anyhow!("cannot read the first sheet: {e}"))?;
        while let Some(c) = rdr
            .next_cell()
            .map_err(|e| anyhow!("cannot read the first sheet: {e}"))?
        {
            add(c.get_position(), c.get_value())?;
        }
    } else {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path)
            .map_err(|e| anyhow!("cannot open it as a workbook: {e}"))?;
        let name = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| anyhow!("the workbook has no sheet"))?;
        let mut rdr = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| anyhow!("cannot read the first sheet: {e}"))?;
        while let Some(c) = rdr
            .next_cell()
            .map_err(|e| anyhow!("cannot read the first sheet: {e}"))?
        {
            add(c.get_position(), c.get_value())?;
        }
    }
    Ok(cells
        .into_iter()
        .map(|(row, mut cs)| {
            cs.sort_by_key(|(c, _)| *c);
            let width = cs.last().map_or(0, |(c, _)| *c as usize + 1);
            let mut v: Vec<Cell> = vec![Ok(String::new()); width];
            for (c, x) in cs {
                if let Some(slot) = v.get_mut(c as usize) {
                    *slot = x;
                }
            }
            Record {
                line: u64::from(row) + 1,
                cells: v,
                problem: None,
            }
        })
        .collect())
}

/// A workbook cell as text. Numbers become their shortest decimal form (amounts are then parsed
/// from that text, never computed with), dates `YYYY-MM-DD`.
fn cell_text(c: &calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    let text = match c {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s)
            if text_problem(s, false).is_some() =>
        {
            return cell(s, false, false);
        }
        DataRef::SharedString(s) if text_problem(s, false).is_some() => {
            return cell(s, false, false);
        }
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::DateTimeIso(s) => s
            .get(..10)
            .filter(|d| sunledger_core::day::is_day(d))
            .unwrap_or(s)
            .to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Err(format!("a cell holds the spreadsheet error {e}")),
    };
    Ok(text)
}

/// A number as typed: whole numbers without a decimal point, others as the shortest decimal
/// that reads back as the same number.
pub fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A day `YYYY-MM-DD` whose year is between 2000 and 2100 (the years the books cover).
pub fn is_day_in_range(s: &str) -> bool {
    sunledger_core::day::is_day(s)
        && s.get(..4)
            .and_then(|y| y.parse::<u32>().ok())
            .is_some_and(|y| (2000..=2100).contains(&y))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
