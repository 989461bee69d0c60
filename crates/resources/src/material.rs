//! Learning materials: what they are, which files are accepted, and who
//! sees one when (SPEC §3.5).
//!
//! A material is released at `release_at` and withdrawn at `expires_at`;
//! between the two, its visibility says which students see it: PRIVATE
//! (students granted it), LESSON_GROUP (students of its series) or
//! PUBLIC_SCHOOL. Those who prepare a material (the office, its uploader,
//! its series' teacher) see it at any time. Files are checked before they are stored:
//! size, a content type from a short list, and for binary types the first
//! bytes must agree with the declared type, so a renamed executable is not
//! served to a family as a "score".

use chrono::{DateTime, Utc};
use kernel::ClassSeriesId;
use kernel::text::{TextError, required_text};

/// What a material is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaterialKind {
    /// Sheet music.
    MusicScore,
    /// A track to play along with.
    BackingTrack,
    /// A click track.
    MetronomeClick,
    /// How it should sound.
    ExampleRecording,
    /// How to practise.
    PracticeGuide,
    /// The teacher's notes from a lesson.
    LessonNote,
    /// Anything else.
    Other,
}

impl MaterialKind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::MusicScore,
        Self::BackingTrack,
        Self::MetronomeClick,
        Self::ExampleRecording,
        Self::PracticeGuide,
        Self::LessonNote,
        Self::Other,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MusicScore => "MUSIC_SCORE",
            Self::BackingTrack => "BACKING_TRACK",
            Self::MetronomeClick => "METRONOME_CLICK",
            Self::ExampleRecording => "EXAMPLE_RECORDING",
            Self::PracticeGuide => "PRACTICE_GUIDE",
            Self::LessonNote => "LESSON_NOTE",
            Self::Other => "OTHER",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which students see a released material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Only students granted it.
    Private,
    /// Students of its series (enrolled, or booked into one of its
    /// sessions).
    LessonGroup,
    /// Every student of the school.
    PublicSchool,
}

impl Visibility {
    /// Every visibility.
    pub const ALL: [Self; 3] = [Self::Private, Self::LessonGroup, Self::PublicSchool];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "PRIVATE",
            Self::LessonGroup => "LESSON_GROUP",
            Self::PublicSchool => "PUBLIC_SCHOOL",
        }
    }

    /// The visibility with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A validated new material (its file is checked by [`check_file`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMaterial {
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: MaterialKind,
    /// Who sees it.
    pub visibility: Visibility,
    /// Its series (LESSON_GROUP only).
    pub series: Option<ClassSeriesId>,
    /// Hidden from students before this.
    pub release_at: Option<DateTime<Utc>>,
    /// Hidden from students from this on.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why a material was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MaterialError {
    /// The title.
    #[error("{0}")]
    Title(TextError),
    /// LESSON_GROUP names the series whose students see it.
    #[error("a LESSON_GROUP material needs the seriesId of its lesson group")]
    GroupNeedsSeries,
    /// A series only makes sense for LESSON_GROUP.
    #[error(
        "seriesId is only for LESSON_GROUP materials; use PRIVATE with grants or PUBLIC_SCHOOL without one"
    )]
    SeriesOnlyForGroup,
    /// It would expire before (or as) it is released.
    #[error("expiresAt must be after releaseAt")]
    ExpiresBeforeRelease,
}

impl NewMaterial {
    /// Validates a material's description.
    pub fn parse(
        title: &str,
        kind: MaterialKind,
        visibility: Visibility,
        series: Option<ClassSeriesId>,
        release_at: Option<DateTime<Utc>>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Self, MaterialError> {
        let title = required_text(title).map_err(MaterialError::Title)?;
        match (visibility, series) {
            (Visibility::LessonGroup, None) => return Err(MaterialError::GroupNeedsSeries),
            (Visibility::Private | Visibility::PublicSchool, Some(_)) => {
                return Err(MaterialError::SeriesOnlyForGroup);
            }
            _ => {}
        }
        if let (Some(r), Some(e)) = (release_at, expires_at)
            && e <= r
        {
            return Err(MaterialError::ExpiresBeforeRelease);
        }
        Ok(Self {
            title,
            kind,
            visibility,
            series,
            release_at,
            expires_at,
        })
    }
}

/// Whether a material is out for students at `now`: released and not yet
/// expired.
pub fn is_out(
    release_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    release_at.is_none_or(|r| r <= now) && expires_at.is_none_or(|e| now < e)
}

/// What a viewer is to one material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reach {
    /// Runs the school (admin or staff).
    pub office: bool,
    /// Uploaded it.
    pub uploader: bool,
    /// Teaches its series.
    pub teaches: bool,
    /// One of the students they act for was granted it.
    pub granted: bool,
    /// One of the students they act for is in its series.
    pub in_group: bool,
}

impl Reach {
    /// Prepares it (the office, its uploader, its series' teacher): sees
    /// it at any time, may grant it and see who downloaded it. Other
    /// teachers see it as students would.
    pub fn prepares(&self) -> bool {
        self.office || self.uploader || self.teaches
    }
}

/// Whether a viewer sees a material at `now`.
pub fn visible(
    visibility: Visibility,
    release_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    reach: Reach,
    now: DateTime<Utc>,
) -> bool {
    if reach.prepares() {
        return true;
    }
    is_out(release_at, expires_at, now)
        && match visibility {
            Visibility::PublicSchool => true,
            Visibility::Private => reach.granted,
            Visibility::LessonGroup => reach.in_group,
        }
}

/// Largest file accepted unless configured otherwise: 25 MiB (a score PDF
/// or a few minutes of MP3).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;
/// Longest stored file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// How the first bytes of a type look.
#[derive(Debug, Clone, Copy)]
enum Magic {
    /// Starts with these bytes.
    Prefix(&'static [u8]),
    /// These bytes at this offset.
    At(usize, &'static [u8]),
    /// An MP3 frame or an ID3 tag.
    Mp3,
    /// RIFF….WAVE.
    Wave,
    /// Text (UTF-8), e.g. MusicXML or a plain note.
    Text,
}

/// The content types accepted, and what their files start with.
const ACCEPTED: &[(&str, Magic)] = &[
    ("application/pdf", Magic::Prefix(b"%PDF-")),
    ("audio/mpeg", Magic::Mp3),
    ("audio/wav", Magic::Wave),
    ("audio/x-wav", Magic::Wave),
    ("audio/wave", Magic::Wave),
    ("audio/ogg", Magic::Prefix(b"OggS")),
    ("audio/flac", Magic::Prefix(b"fLaC")),
    ("audio/mp4", Magic::At(4, b"ftyp")),
    ("audio/x-m4a", Magic::At(4, b"ftyp")),
    ("video/mp4", Magic::At(4, b"ftyp")),
    ("audio/midi", Magic::Prefix(b"MThd")),
    ("audio/x-midi", Magic::Prefix(b"MThd")),
    ("image/png", Magic::Prefix(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", Magic::Prefix(b"\xff\xd8\xff")),
    (
        "application/vnd.recordare.musicxml",
        Magic::Prefix(b"PK\x03\x04"),
    ),
    ("application/vnd.recordare.musicxml+xml", Magic::Text),
    ("application/xml", Magic::Text),
    ("text/xml", Magic::Text),
    ("text/plain", Magic::Text),
];

/// The content types accepted, for messages and docs.
pub fn accepted_types() -> impl Iterator<Item = &'static str> {
    ACCEPTED.iter().map(|(t, _)| *t)
}

fn matches(magic: Magic, head: &[u8]) -> bool {
    match magic {
        Magic::Prefix(p) => head.starts_with(p),
        Magic::At(at, p) => head.get(at..at + p.len()) == Some(p),
        Magic::Mp3 => {
            head.starts_with(b"ID3")
                || (head.len() >= 2 && head[0] == 0xff && head[1] & 0xe0 == 0xe0)
        }
        Magic::Wave => head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WAVE"),
        Magic::Text => match std::str::from_utf8(head) {
            Ok(_) => true,
            // The head may end inside a multi-byte character.
            Err(e) => e.error_len().is_none(),
        },
    }
}

/// An uploaded file as received.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// The name the client gave.
    pub name: &'a str,
    /// The declared content type.
    pub content_type: Option<&'a str>,
    /// Size in bytes.
    pub size: u64,
    /// The first bytes (at least 16 when the file is that long).
    pub head: &'a [u8],
}

/// A file fit to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    /// A safe file name for `Content-Disposition` (no path, no control
    /// characters, at most [`MAX_FILE_NAME_CHARS`]).
    pub name: String,
    /// The content type, lower case, without parameters.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Nothing in it.
    #[error("the file is empty")]
    Empty,
    /// Larger than allowed.
    #[error("the file has {size} bytes; the most accepted is {max} bytes")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// A type not on the list.
    #[error(
        "files of type {given:?} are not accepted; send a PDF, an audio file (MP3, WAV, OGG, FLAC, M4A, MIDI), an image (PNG, JPEG), MusicXML or plain text"
    )]
    Type {
        /// The declared type.
        given: String,
    },
    /// The bytes are not what the type says.
    #[error("the file's contents are not a {declared} file; check the file and its type")]
    Mismatch {
        /// The declared type.
        declared: String,
    },
}

/// Checks an upload against the limit and the list of types.
pub fn check_file(file: Upload<'_>, max_bytes: u64) -> Result<CheckedFile, FileError> {
    if file.size == 0 {
        return Err(FileError::Empty);
    }
    if file.size > max_bytes {
        return Err(FileError::TooLarge {
            size: file.size,
            max: max_bytes,
        });
    }
    let declared = file
        .content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((content_type, magic)) = ACCEPTED.iter().find(|(t, _)| *t == declared) else {
        return Err(FileError::Type { given: declared });
    };
    if !matches(*magic, file.head) {
        return Err(FileError::Mismatch {
            declared: (*content_type).to_owned(),
        });
    }
    Ok(CheckedFile {
        name: safe_name(file.name),
        content_type: (*content_type).to_owned(),
        size: file.size,
    })
}

/// The last path component of a client's file name, without control
/// characters or quotes, at most [`MAX_FILE_NAME_CHARS`] long.
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone as _};
    use uuid::Uuid;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn nobody_but_staff_sees_a_material_before_release_or_after_expiry() {
        let tomorrow = Some(now() + Duration::days(1));
        let yesterday = Some(now() - Duration::days(1));
        let family = Reach {
            granted: true,
            in_group: true,
            ..Reach::default()
        };
        let preparers = [
            Reach {
                office: true,
                ..Reach::default()
            },
            Reach {
                uploader: true,
                ..Reach::default()
            },
            Reach {
                teaches: true,
                ..Reach::default()
            },
        ];
        for v in Visibility::ALL {
            assert!(!visible(v, tomorrow, None, family, now()));
            assert!(!visible(v, None, yesterday, family, now()));
            assert!(visible(v, yesterday, tomorrow, family, now()));
            for p in preparers {
                assert!(visible(v, tomorrow, None, p, now()));
                assert!(visible(v, None, yesterday, p, now()));
            }
        }
        // Another teacher sees a private score as a student would: not.
        assert!(!visible(
            Visibility::Private,
            None,
            None,
            Reach::default(),
            now()
        ));
        assert!(
            visible(Visibility::Private, Some(now()), None, family, now()),
            "released at this very instant"
        );
        assert!(!visible(
            Visibility::Private,
            None,
            Some(now()),
            family,
            now()
        ));
    }

    #[test]
    fn visibility_decides_which_students_see_a_released_material() {
        // (visibility, granted, in group) -> seen
        let table = [
            (Visibility::PublicSchool, false, false, true),
            (Visibility::Private, false, true, false),
            (Visibility::Private, true, false, true),
            (Visibility::LessonGroup, true, false, false),
            (Visibility::LessonGroup, false, true, true),
        ];
        for (v, granted, in_group, seen) in table {
            let reach = Reach {
                granted,
                in_group,
                ..Reach::default()
            };
            assert_eq!(visible(v, None, None, reach, now()), seen, "{v:?}");
        }
    }

    #[test]
    fn a_material_names_its_group_and_expires_after_release() {
        let series = Some(ClassSeriesId::from_uuid(Uuid::nil()));
        let p = |v, s, r, e| NewMaterial::parse("Scales", MaterialKind::MusicScore, v, s, r, e);
        assert_eq!(
            p(Visibility::LessonGroup, None, None, None),
            Err(MaterialError::GroupNeedsSeries)
        );
        assert_eq!(
            p(Visibility::PublicSchool, series, None, None),
            Err(MaterialError::SeriesOnlyForGroup)
        );
        assert_eq!(
            p(Visibility::Private, None, Some(now()), Some(now())),
            Err(MaterialError::ExpiresBeforeRelease)
        );
        assert!(p(Visibility::LessonGroup, series, Some(now()), None).is_ok());
        for k in MaterialKind::ALL {
            assert_eq!(MaterialKind::parse(k.as_str()), Some(k));
        }
    }

    fn upload<'a>(name: &'a str, ty: &'a str, head: &'a [u8]) -> Upload<'a> {
        Upload {
            name,
            content_type: Some(ty),
            size: head.len() as u64,
            head,
        }
    }

    #[test]
    fn files_are_checked_for_size_type_and_contents() {
        let pdf = b"%PDF-1.7 rest of the file";
        let ok = check_file(upload("../../etc/Scales.pdf", "Application/PDF", pdf), 1000).unwrap();
        assert_eq!(ok.name, "Scales.pdf");
        assert_eq!(ok.content_type, "application/pdf");
        assert_eq!(
            check_file(upload("a.pdf", "application/pdf", pdf), 10),
            Err(FileError::TooLarge { size: 25, max: 10 })
        );
        assert_eq!(
            check_file(upload("a.exe", "application/x-msdownload", b"MZ"), 1000),
            Err(FileError::Type {
                given: "application/x-msdownload".into()
            })
        );
        assert_eq!(
            check_file(upload("a.pdf", "application/pdf", b"MZ\x90\x00"), 1000),
            Err(FileError::Mismatch {
                declared: "application/pdf".into()
            })
        );
        assert_eq!(
            check_file(upload("a.pdf", "application/pdf", b""), 1000),
            Err(FileError::Empty)
        );
        assert!(check_file(upload("t.mp3", "audio/mpeg", b"ID3\x04rest"), 1000).is_ok());
        assert!(
            check_file(
                upload("t.txt", "text/plain; charset=utf-8", "é".as_bytes()),
                1000
            )
            .is_ok()
        );
        assert!(check_file(upload("t.txt", "text/plain", b"\xff\xfe\x00"), 1000).is_err());
    }

    #[test]
    fn file_names_lose_paths_quotes_and_control_characters() {
        assert_eq!(
            safe_name("C:\\Users\\me\\Ode \"to\" Joy.pdf"),
            "Ode to Joy.pdf"
        );
        assert_eq!(safe_name("a\r\nb.pdf"), "ab.pdf");
        assert_eq!(safe_name(".."), "file");
        assert_eq!(
            safe_name(&"x".repeat(500)).chars().count(),
            MAX_FILE_NAME_CHARS
        );
    }
}
