//! Turning status HTML back into plain text.

/// A plain-text rendering of status HTML: `<br>` becomes a line break,
/// `</p><p>` a blank line, other tags are dropped, and `&amp;`, `&lt;`,
/// `&gt;`, `&quot;`, `&#39;`/`&apos;` and numeric references are decoded.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Whether the last thing seen was `</p>`, so that a `<p>` right after
    // it starts a new paragraph.
    let mut closed_paragraph = false;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let text = &rest[..open];
        if !text.is_empty() {
            unescape_into(&mut out, text);
            closed_paragraph = false;
        }
        closed_paragraph = apply_tag(&mut out, &rest[open + 1..open + close], closed_paragraph);
        rest = &rest[open + close + 1..];
    }
    unescape_into(&mut out, rest);
    out
}

/// Writes what a tag stands for; returns whether it closed a paragraph.
fn apply_tag(out: &mut String, tag: &str, closed_paragraph: bool) -> bool {
    let (closing, name) = tag_name(tag);
    match (closing, name.as_str()) {
        (false, "br") => out.push('\n'),
        (false, "p") if closed_paragraph => out.push_str("\n\n"),
        (true, "p") => return true,
        _ => {}
    }
    false
}

/// Whether a tag (the text between `<` and `>`) is a closing tag, and its
/// lower-cased name.
fn tag_name(tag: &str) -> (bool, String) {
    let tag = tag.trim();
    let (closing, body) = match tag.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, tag),
    };
    let name = body
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or_default();
    (closing, name.to_ascii_lowercase())
}

fn unescape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let reference = &rest[amp..];
        match decode_reference(reference) {
            Some((c, len)) => {
                out.push(c);
                rest = &reference[len..];
            }
            None => {
                out.push('&');
                rest = &reference[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Decodes the character reference `s` starts with (`&amp;`, `&#39;`,
/// `&#x27;`…), returning the character and the reference's length.
fn decode_reference(s: &str) -> Option<(char, usize)> {
    let semicolon = s.char_indices().take(12).find(|&(_, c)| c == ';')?.0;
    let name = &s[1..semicolon];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => decode_numeric(name.strip_prefix('#')?)?,
    };
    Some((c, semicolon + 1))
}

fn decode_numeric(number: &str) -> Option<char> {
    let (digits, radix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let code = u32::from_str_radix(digits, radix).ok()?;
    char::from_u32(code).filter(|&c| c != '\0')
}
