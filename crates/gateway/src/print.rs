//! Printable invoices: `Invoice.printUrl` is a signed, ten-minute link to
//! `GET /invoices/{token}`, an HTML page a person reads or prints: the
//! school's branding, who is billed, the lines, the total, what was paid
//! and what is still owed. Every text from the database is escaped
//! (`html_escape`); the page loads nothing but the school's logo.
//!
//! Links reuse the download links' ticket (`crate::download`) under a key
//! derived for this purpose, so a material's link never opens an invoice.

use chrono::{DateTime, Utc};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use infra::entity::{invoice, invoice_line, payment, school};
use kernel::SchoolId;

use crate::download::Ticket;

/// The key print links are signed with: the download key, bound to this
/// purpose.
pub fn print_key(download_key: &[u8]) -> Vec<u8> {
    [download_key, b":invoice-print"].concat()
}

/// A print link for an invoice, made at `now`.
pub fn link(
    download_key: &[u8],
    invoice: uuid::Uuid,
    school: SchoolId,
    now: DateTime<Utc>,
) -> String {
    let ticket = Ticket::new(invoice, school, None, false, now);
    format!("/invoices/{}", ticket.sign(&print_key(download_key)))
}

/// Formats minor units as `1,234.50 GBP`.
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let (units, cents) = (abs / 100, abs % 100);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{cents:02} {currency}")
}

/// What the page shows.
pub struct Printable<'a> {
    /// The school (name, branding, contact).
    pub school: &'a school::Model,
    /// The invoice.
    pub invoice: &'a invoice::Model,
    /// Its status as read today (OVERDUE included).
    pub status: &'a str,
    /// Who is billed ("The Chen family", "Lily Chen").
    pub billed_to: &'a str,
    /// Its lines.
    pub lines: &'a [invoice_line::Model],
    /// Its payments.
    pub payments: &'a [payment::Model],
}

/// The invoice as an HTML page.
pub fn render(p: &Printable<'_>) -> String {
    let inv = p.invoice;
    let cur = inv.currency.as_str();
    // A brand colour is stored validated (`#rrggbb`); anything else falls
    // back rather than reaching the style sheet.
    let brand = p
        .school
        .brand_color
        .as_deref()
        .filter(|c| {
            c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit())
        })
        .unwrap_or("#333333");
    let mut rows = String::new();
    for l in p.lines {
        rows.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            text(&l.description),
            l.quantity,
            text(&money(l.unit_minor, cur)),
            text(&money(l.amount_minor, cur)),
        ));
    }
    let mut paid_rows = String::new();
    for pay in p.payments {
        paid_rows.push_str(&format!(
            "<tr><td>{} {}</td><td class=\"n\">{}</td></tr>\n",
            text(&pay.method),
            text(&pay.status),
            text(&money(pay.amount_minor - pay.refunded_minor, cur)),
        ));
    }
    let logo = p
        .school
        .logo_url
        .as_deref()
        .map(|u| format!("<img class=\"logo\" src=\"{}\" alt=\"\">", attr(u)))
        .unwrap_or_default();
    let contact = [
        p.school.phone.as_deref(),
        p.school.website.as_deref(),
        Some(p.school.contact_email.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(|c| text(c).into_owned())
    .collect::<Vec<_>>()
    .join(" · ");
    let issued = inv
        .issue_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| "not issued".to_owned());
    let notes = inv
        .notes
        .as_deref()
        .map(|n| format!("<p class=\"notes\">{}</p>", text(n)))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Invoice {number} · {school}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; color: #222; }}
header {{ border-bottom: 4px solid {brand}; padding-bottom: 1rem; display: flex; justify-content: space-between; }}
h1 {{ color: {brand}; margin: 0; }}
.logo {{ max-height: 4rem; }}
table {{ width: 100%; border-collapse: collapse; margin: 1rem 0; }}
th, td {{ padding: .4rem; border-bottom: 1px solid #ddd; text-align: left; }}
.n {{ text-align: right; }}
.total td {{ font-weight: bold; }}
@media print {{ body {{ margin: 0; }} }}
</style>
</head>
<body>
<header>
<div><h1>{school}</h1><p>{contact}</p></div>
{logo}
</header>
<section id="invoice">
<h2>Invoice {number}</h2>
<p>Status: <strong id="status">{status}</strong></p>
<p>Billed to: <strong id="billed-to">{billed_to}</strong></p>
<p>Issued: {issued} · Due: {due}</p>
<table id="lines">
<thead><tr><th>Description</th><th class="n">Qty</th><th class="n">Unit</th><th class="n">Amount</th></tr></thead>
<tbody>
{rows}<tr class="total"><td colspan="3">Total</td><td class="n" id="total">{total}</td></tr>
</tbody>
</table>
<table id="payments">
<thead><tr><th>Paid</th><th class="n">Amount</th></tr></thead>
<tbody>
{paid_rows}<tr class="total"><td>Balance due</td><td class="n" id="balance">{balance}</td></tr>
</tbody>
</table>
{notes}
</section>
</body>
</html>
"#,
        number = inv.number,
        school = text(&p.school.name),
        contact = contact,
        logo = logo,
        status = text(p.status),
        billed_to = text(p.billed_to),
        issued = issued,
        due = inv.due_date,
        rows = rows,
        total = text(&money(inv.total_minor, cur)),
        paid_rows = paid_rows,
        balance = text(&money(inv.total_minor - inv.paid_minor, cur)),
        notes = notes,
        brand = brand,
    )
}

/// `GET /invoices/{token}`: the printable page, for a valid link.
pub async fn serve(
    axum::extract::State(state): axum::extract::State<crate::context::AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> axum::response::Response {
    use crate::download::TicketError;
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let plain = |status: StatusCode, message: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message.to_owned(),
        )
            .into_response()
    };
    let now = state.clock.now();
    let ticket = match Ticket::verify(&print_key(&state.download_key), &token, now) {
        Ok(t) => t,
        Err(TicketError::Expired) => {
            return plain(
                StatusCode::GONE,
                "this invoice link has expired; open the invoice again for a new one (Invoice.printUrl)",
            );
        }
        Err(TicketError::Invalid) => {
            return plain(StatusCode::FORBIDDEN, "this invoice link is not valid");
        }
    };
    match page(&state, ticket, now).await {
        Ok(Some(html)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                // Nothing runs, nothing loads but the logo.
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; img-src https:",
                ),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            html,
        )
            .into_response(),
        Ok(None) => plain(StatusCode::NOT_FOUND, "this invoice no longer exists"),
        Err(e) => {
            let error_id = uuid::Uuid::new_v4();
            tracing::error!(%error_id, error = ?e, "invoice page failed");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("the invoice cannot be shown now; error id {error_id}"),
            )
        }
    }
}

async fn page(
    state: &crate::context::AppState,
    ticket: Ticket,
    now: DateTime<Utc>,
) -> Result<Option<String>, infra::InfraError> {
    use infra::entity::{family, student};
    let conn = state.db.conn();
    let school_id = ticket.school;
    let Some(inv) = infra::repo::find::<invoice::Entity>(conn, school_id, ticket.material).await?
    else {
        return Ok(None);
    };
    let Some(school) = infra::repo::organisation::school(conn, school_id).await? else {
        return Ok(None);
    };
    let lines = infra::billing::lines_of(conn, school_id, [inv.id])
        .await?
        .remove(&inv.id)
        .unwrap_or_default();
    let payments = infra::billing::payments_of(conn, school_id, [inv.id])
        .await?
        .remove(&inv.id)
        .unwrap_or_default();
    let billed_to = match (inv.family_id, inv.student_id) {
        (Some(f), _) => infra::repo::find::<family::Entity>(conn, school_id, f)
            .await?
            .map(|f| f.name)
            .unwrap_or_default(),
        (None, Some(s)) => infra::repo::find::<student::Entity>(conn, school_id, s)
            .await?
            .map(|s| format!("{} {}", s.first_name, s.last_name))
            .unwrap_or_default(),
        (None, None) => String::new(),
    };
    let zone = infra::booking::school_zone(conn, school_id).await?;
    let status = infra::billing::status(&inv)?.as_of(inv.due_date, zone.local_date(now));
    Ok(Some(render(&Printable {
        school: &school,
        invoice: &inv,
        status: status.as_str(),
        billed_to: &billed_to,
        lines: &lines,
        payments: &payments,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_like_money() {
        assert_eq!(money(12_345_678, "GBP"), "123,456.78 GBP");
        assert_eq!(money(5, "EUR"), "0.05 EUR");
        assert_eq!(money(-1000, "USD"), "-10.00 USD");
        assert_eq!(money(100_000, "USD"), "1,000.00 USD");
    }
}
