//! The typesetter's world: the templates and fonts compiled into the crate, the form's data
//! as `/data.json` and its QR code as `/qr.svg`. Nothing is read from the disk or the
//! network (no packages), and "today" is not available to templates: dates come in the data.

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::LibraryExt;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};
use typst_layout::PagedDocument;

const TEMPLATES: [(&str, &str); 8] = [
    ("/lib.typ", include_str!("../templates/lib.typ")),
    ("/receipt.typ", include_str!("../templates/receipt.typ")),
    (
        "/supplement-request.typ",
        include_str!("../templates/supplement-request.typ"),
    ),
    ("/refusal.typ", include_str!("../templates/refusal.typ")),
    ("/apology.typ", include_str!("../templates/apology.typ")),
    (
        "/stop-notice.typ",
        include_str!("../templates/stop-notice.typ"),
    ),
    (
        "/control-slip.typ",
        include_str!("../templates/control-slip.typ"),
    ),
    ("/register.typ", include_str!("../templates/register.typ")),
];

const FONTS: [&[u8]; 3] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
];

struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: HashMap<FileId, Source>,
    data: FileId,
    qr: FileId,
}

fn file_id(path: &str) -> FileId {
    // The paths are the constants above, all valid.
    let vpath = VirtualPath::new(path).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .flat_map(|b| Font::iter(Bytes::new(*b)))
        .collect();
    let sources = TEMPLATES
        .iter()
        .map(|(path, text)| {
            let id = file_id(path);
            (id, Source::new(id, text.to_string()))
        })
        .collect();
    Engine {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        sources,
        data: file_id("/data.json"),
        qr: file_id("/qr.svg"),
    }
});

struct FormWorld {
    main: FileId,
    data: Bytes,
    qr: Option<Bytes>,
}

impl World for FormWorld {
    fn library(&self) -> &LazyHash<Library> {
        &ENGINE.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &ENGINE.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        ENGINE
            .sources
            .get(&id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == ENGINE.data {
            Ok(self.data.clone())
        } else if id == ENGINE.qr {
            self.qr.clone().ok_or_else(|| not_found(id))
        } else if let Some(source) = ENGINE.sources.get(&id) {
            Ok(Bytes::from_string(source.text().to_string()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        ENGINE.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_without_slash().into())
}

/// Typesets `templates/<template>.typ` with the data and QR code given, as PDF bytes; the
/// error is typst's diagnostics in one line each.
pub(crate) fn typeset(
    template: &str,
    data: Vec<u8>,
    qr: Option<Vec<u8>>,
    ident: String,
) -> Result<Vec<u8>, String> {
    let main = file_id(&format!("/{template}.typ"));
    if !ENGINE.sources.contains_key(&main) {
        return Err(format!("no template {template}.typ"));
    }
    let world = FormWorld {
        main,
        data: Bytes::new(data),
        qr: qr.map(Bytes::new),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // Keep the typesetter's memo cache to what recent renders used.
    comemo::evict(30);
    let document = compiled.map_err(|diags| diagnostics(&diags[..]))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(ident),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|diags| diagnostics(&diags[..]))
}

fn diagnostics(diags: &[typst::diag::SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let hints: String = d
                .hints
                .iter()
                .map(|h| format!(" (hint: {})", h.v))
                .collect();
            format!("{}{hints}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
