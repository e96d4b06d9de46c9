// Campaign recipients from a CSV file, read in the browser so the rows and their errors can be
// checked before anything is sent. The columns are the API's (platform.md section 7):
// phone_number (required), timezone, external_id; every other column a dynamic variable.

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF rows.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte order mark from spreadsheet exports
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

function validZone(tz) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// {columns, rows: [{line, recipient, errors: [string]}], errors: [file-level messages]}
export function readRecipients(text) {
  const table = parseCsv(text);
  if (table.length === 0) return { columns: [], rows: [], errors: ['The file is empty.'] };
  const columns = table[0].map((c) => c.trim());
  const errors = [];
  if (!columns.includes('phone_number')) errors.push('The header row has no phone_number column.');
  const seenColumns = new Set();
  for (const c of columns) {
    if (!c) errors.push('A column has no name in the header row.');
    else if (seenColumns.has(c)) errors.push(`The column ${c} appears twice.`);
    seenColumns.add(c);
  }
  const seen = new Map();
  const rows = table.slice(1).map((cells, index) => {
    const line = index + 2;
    const rowErrors = [];
    if (cells.length !== columns.length) rowErrors.push(`has ${cells.length} cells, the header has ${columns.length}`);
    const recipient = {};
    const vars = {};
    columns.forEach((c, j) => {
      const v = (cells[j] ?? '').trim();
      if (c === 'phone_number') recipient.phone_number = v;
      else if (c === 'timezone') {
        if (v) recipient.timezone = v;
      } else if (c === 'external_id') {
        if (v) recipient.external_id = v;
      } else if (c && v !== '') vars[c] = v;
    });
    if (Object.keys(vars).length) recipient.dynamic_variables = vars;
    if (!recipient.phone_number) rowErrors.push('phone_number is empty');
    else if (!E164.test(recipient.phone_number)) rowErrors.push(`${recipient.phone_number} is not an E.164 number (+ and digits)`);
    else if (seen.has(recipient.phone_number)) rowErrors.push(`${recipient.phone_number} is already on line ${seen.get(recipient.phone_number)}`);
    else seen.set(recipient.phone_number, line);
    if (recipient.timezone && !validZone(recipient.timezone)) rowErrors.push(`${recipient.timezone} is not an IANA time zone`);
    return { line, recipient, errors: rowErrors };
  });
  if (rows.length === 0) errors.push('The file has a header row and no recipients.');
  return { columns, rows, errors };
}
