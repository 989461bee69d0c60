//! Students' QR codes: the signed text (`crm::qr`) and a PNG of it for
//! printing (`GET /students/{id}/qr.png`), drawn with the `qrcode` crate
//! and encoded with `png`.

use chrono::{DateTime, Utc};
use crm::qr::QrClaims;
use infra::entity::student;
use kernel::{SchoolId, StudentId};

/// Pixels per module of the printed code.
const SCALE: usize = 8;
/// Blank modules around it (the QR spec's quiet zone).
const QUIET: usize = 4;

/// The signed text of a student's current code, under the school's key.
pub fn token(key: &[u8], now: DateTime<Utc>, school: SchoolId, s: &student::Model) -> String {
    QrClaims::new(
        school,
        StudentId::from_uuid(s.id),
        s.qr_version.max(0) as u32,
        now,
    )
    .sign(key)
}

/// A black-on-white PNG of `text` as a QR code (medium error correction).
pub fn png(text: &str) -> Result<Vec<u8>, String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for dy in 0..SCALE {
            let row = (my * SCALE + dy) * side;
            pixels[row + mx * SCALE..row + (mx + 1) * SCALE].fill(0);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_drawn_as_a_square_png_with_a_quiet_zone() {
        let bytes = png("hello").unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        // Version 1 is 21 modules wide.
        assert_eq!(info.width as usize, (21 + 2 * QUIET) * SCALE);
    }
}
